"""The planner under load (printed, not asserted): many pages on one ``capkit app``.

Run: python benchmarks/bench_load.py [--websockets 20] [--pages 3] [--changes 5] [--ramp 1.5]

Sessions (websocket clients speaking the widget protocol, and real chromium pages; see
tests/load.py) arrive --ramp seconds apart, then all make their own users changes at once.
Prints: session open to figures (median, max); per change, sending it to the updated headline,
p50 and p95, for websocket sessions and for pages; memory: the server's own RSS and the
kernels' RSS per session (one kernel per session).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import serve_app  # noqa: E402
from tests.load import descendants, kernel_pids, rss_mb, run_load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--websockets", type=int, default=20)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--ramp", type=float, default=1.5, help="seconds between session arrivals")
    args = parser.parse_args()
    with serve_app() as (url, proc):
        t0 = time.perf_counter()
        runs = run_load(url, args.websockets, args.pages, args.changes, args.ramp)
        wall = time.perf_counter() - t0
        kernels = kernel_pids(proc.pid)
        kernel_rss = [rss_mb(pid) for pid in kernels.values()]
        server_rss = sum(rss_mb(p) for p in descendants(proc.pid) if p not in kernels.values())
    loads = [r.load_s for r in runs]
    print(
        f"{args.websockets} websocket sessions and {args.pages} pages, {args.ramp:g} s apart, then {args.changes} "
        f"changes each, all at once; {wall:.0f} s in all"
    )
    print(f"session open to figures: median {statistics.median(loads):.1f} s, max {max(loads):.1f} s")
    for kind in ("websocket", "browser"):
        lat = np.array([x for r in runs if r.kind == kind for x in r.latencies_ms if np.isfinite(x)])
        if lat.size:
            p50, p95 = np.percentile(lat, [50, 95])
            print(f"change to headline ({kind}): p50 {p50:.0f} ms, p95 {p95:.0f} ms over {lat.size} changes")
    per_kernel = statistics.mean(kernel_rss)
    print(f"memory: server {server_rss:.0f} MB; {len(kernel_rss)} kernels, {per_kernel:.0f} MB per session")
    wrong = sum(exp != shown for r in runs for exp, shown in r.shown)
    errors = sum(len(r.errors) for r in runs)
    print(f"wrong figures: {wrong}; console errors: {errors}")
    for text in sorted({e[:200] for r in runs for e in r.errors})[:5]:
        print(f"  console error: {text}")


if __name__ == "__main__":
    main()
