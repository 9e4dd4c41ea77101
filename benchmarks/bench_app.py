"""Planner benchmarks in a real browser (printed, not asserted).

Run: python benchmarks/bench_app.py [--changes 30]

- cold start: from launching ``capkit app`` to the first rendered headline figure and chart;
- slider latency: from committing a new users value in the slider's box to the updated
  headline figure, timed inside the page (performance.now() at the key press, a
  MutationObserver at the change); median and 95th percentile.
Targets (issue 3): latency under 150 ms median; cold start under 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import offline_page, serve_app  # noqa: E402
from tests.load import OBSERVE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    t_launch = time.perf_counter()
    with serve_app() as (url, _proc), sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(url, timeout=120_000)
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        t_headline = time.perf_counter() - t_launch
        page.wait_for_selector(".capkit-chart-cost img.capkit-chart", timeout=120_000)
        t_chart = time.perf_counter() - t_launch
        print(
            f"cold start: first headline {t_headline:.2f} s, first chart {t_chart:.2f} s after launching capkit app "
            f"(target < 5 s)"
        )

        # A second visitor gets the kernel Voila pre-heated meanwhile: page open to figures.
        time.sleep(10)
        t0 = time.perf_counter()
        page.goto(url, timeout=120_000)
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        t_warm = time.perf_counter() - t0
        page.wait_for_selector(".capkit-chart-cost img.capkit-chart", timeout=120_000)
        print(f"page open with a pre-heated kernel: headline {t_warm:.2f} s, chart {time.perf_counter() - t0:.2f} s")

        page.evaluate(OBSERVE)
        levels = [f"{x:.0f}" for x in np.geomspace(2_000, 5_000_000, args.changes)]
        latencies = []
        readout = page.locator(".capkit-users .widget-readout")
        for value in levels:
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
            before = page.evaluate("window.__last")
            page.evaluate("window.__t0 = performance.now(); window.__t1 = null")
            page.keyboard.press("Enter")
            page.wait_for_function("(b) => window.__t1 !== null && window.__last !== b", arg=before, timeout=30_000)
            latencies.append(page.evaluate("window.__t1 - window.__t0"))
        p95 = float(np.percentile(latencies, 95))
        print(
            f"slider -> headline over {len(latencies)} changes: median {statistics.median(latencies):.0f} ms, "
            f"p95 {p95:.0f} ms, max {max(latencies):.0f} ms (target < 150 ms median)"
        )
        if external or errors:
            print(f"warning: external requests {external}, console errors {errors}")


if __name__ == "__main__":
    main()
