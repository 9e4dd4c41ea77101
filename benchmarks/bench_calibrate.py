"""Calibration benchmark: a 12-month bill of 50 lines a month, calibrated (printed, not asserted).

Run: python benchmarks/bench_calibrate.py [--repeat 5]   (pinned to one CPU where the OS allows)

Target (issue 16): 12 months x 50 lines calibrate in under 2 s. The bill is capkit's own
aws-serverless model (capkit.bills.model_cur) at 14 calls per user and 800 ms, users growing
20 % a month, each line off by up to 3 %, every line split over several rows as operations
split a real Cost and Usage Report. The time covers reading the CSV, mapping the lines, the
least-squares fit and the before/after tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import capkit
from capkit.bills import model_cur
from capkit.calibrate import calibrate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    stack = capkit.load_stack("aws-serverless")
    days = pd.date_range("2025-01-01", "2025-12-31", freq="D")
    users = 20_000 * 1.2 ** ((days - days[0]).days / (365.25 / 12))
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "users": users})
    monthly = frame.groupby(frame["date"].str[:7])["users"].mean().to_dict()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame.to_csv(folder / "users.csv", index=False)
        # 10 billed usage types, each split over 5 rows: 50 lines a month.
        cur = model_cur(stack, {"calls_per_user": 14, "duration_ms": 800}, monthly, noise=0.03, rows_per_line=5)
        cur.to_csv(folder / "cur.csv", index=False)
        calibrate(stack, [folder / "cur.csv"], folder / "users.csv")  # warm up imports (scipy)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = calibrate(stack, [folder / "cur.csv"], folder / "users.csv")
            times.append(time.perf_counter() - t0)
    per_month = len(cur) // len(monthly)
    print(f"calibrate, {len(monthly)} months x {per_month} lines ({len(cur)} bill rows), aws-serverless:")
    print(f"  median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.repeat} runs (target < 2 s)")
    calls, duration = result.values_after["calls_per_user"], result.values_after["duration_ms"]
    worst = result.summary["error_after"].abs().max()
    print(f"  recovered calls_per_user {calls:.2f} (14), duration_ms {duration:.0f} (800); worst line {worst:.1%}")


if __name__ == "__main__":
    main()
