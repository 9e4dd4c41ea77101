"""Engine benchmarks: evaluate latency and sweep throughput (printed, not asserted).

Run: python benchmarks/bench_engine.py   (set OMP_NUM_THREADS=1 etc. for one core; the script
pins itself to one CPU where the OS allows.)

Targets (issue 2): evaluate under 5 ms median; a sweep of 1,000,000 user levels on
aws-serverless under 1 s on one core. Issue 12: right_size at one user level under 20 ms and
a roadmap over 200 levels under 200 ms, for every preset. The plain loop evaluates the same functions one level at
a time (arrays of length 1), which is what a non-vectorized engine would cost.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

import capkit


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    stack = capkit.load_stack("aws-serverless")
    wl = stack.workload(users=100_000)
    capkit.evaluate(stack, wl)  # warm up imports and caches

    ev = timed(lambda: capkit.evaluate(stack, wl), 300)
    core = timed(lambda: capkit.evaluate_arrays(stack, wl), 300)
    print(
        f"evaluate (Plan with DataFrames), 1 workload: median {statistics.median(ev) * 1e3:.2f} ms, "
        f"p95 {np.percentile(ev, 95) * 1e3:.2f} ms  (target < 5 ms)"
    )
    print(f"evaluate_arrays (engine only), 1 workload:   median {statistics.median(core) * 1e3:.2f} ms")

    levels = np.geomspace(100, 10_000_000, 1_000_000)
    sw = timed(lambda: capkit.sweep(stack, wl, users=levels), 5)
    best = min(sw)
    print(
        f"sweep, 1,000,000 user levels (aws-serverless): best {best:.3f} s, median {statistics.median(sw):.3f} s "
        f"(target < 1 s)"
    )

    ranges = {
        "duration_ms": (500.0, 2000.0, 4000.0),
        "item_kb": (10.0, 30.0, 50.0),
        "calls_per_user": (5.0, 10.0, 20.0),
    }
    sim = timed(lambda: capkit.simulate(stack, wl, n=100_000, seed=1, ranges=ranges), 5)
    print(f"simulate, 100,000 draws of 3 ranges (aws-serverless): best {min(sim):.3f} s (target < 1 s)")

    for name in capkit.preset_names():
        s = capkit.load_stack(name)
        wl100k = s.workload(users=100_000)
        capkit.right_size(s, wl100k)  # builds the option families once per stack
        sized = timed(lambda s=s, wl=wl100k: capkit.right_size(s, wl), 50)
        grid = np.geomspace(1_000, 10_000_000, 200)
        capkit.roadmap(s, wl100k, grid)
        road = timed(lambda s=s, wl=wl100k, grid=grid: capkit.roadmap(s, wl, grid), 10)
        print(
            f"{name:17s} right_size at 100,000 users: median {statistics.median(sized) * 1e3:.1f} ms "
            f"(target < 20 ms); roadmap over 200 levels: median {statistics.median(road) * 1e3:.0f} ms "
            f"(target < 200 ms)"
        )

    n_loop = 2_000
    sample = levels[:: len(levels) // n_loop][:n_loop]
    t0 = time.perf_counter()
    for u in sample:
        capkit.evaluate_arrays(stack, wl.with_users(np.array([u])))
    per_level = (time.perf_counter() - t0) / n_loop
    print(
        f"plain Python loop over the same functions: {per_level * 1e6:.0f} us per level, "
        f"{per_level * 1_000_000:.0f} s for 1,000,000 levels (extrapolated from {n_loop:,}); "
        f"vectorized sweep is {per_level * 1_000_000 / best:,.0f}x faster"
    )


if __name__ == "__main__":
    main()
