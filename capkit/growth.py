"""Growth: where the product stands, how fast it grows, and when each limit is reached.

Growth is compound: users(t) = users_now x (1 + rate)^months. A rate fitted from actuals is the
least-squares slope of log(users) against time, so a steady percentage growth fits exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from capkit.csvfile import read_table
from capkit.errors import InputError
from capkit.plan import Plan
from capkit.units import DAYS_PER_CALENDAR_MONTH


@dataclass(frozen=True)
class Growth:
    """Users today, the monthly growth rate, and where both come from."""

    as_of: dt.date
    users: float
    rate_monthly: float
    source: str


def read_actuals(path: Path | str, what: str = "actuals", least: int = 2) -> pd.DataFrame:
    """A CSV with columns date (YYYY-MM-DD) and users (daily actives), sorted by date, at least
    ``least`` rows (two to fit a growth rate). Errors name the input ``what`` (the actuals
    file of a report, the users file of a calibration) and the file; a date given twice with
    different users is refused (which one is right?)."""
    path = Path(path)
    frame = read_table(path, what, "a CSV date,users")

    def refused(detail: str, row: int | None = None, field: str | None = None, value: object = None) -> InputError:
        return InputError(detail, what=what, name=str(path), row=row, field=field, value=value)

    missing = {"date", "users"} - set(frame.columns)
    if missing:
        raise refused(f"needs columns date,users; missing {', '.join(sorted(missing))}")
    dates = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    users = pd.to_numeric(frame["users"].str.strip(), errors="coerce")
    for i in range(len(frame)):
        if pd.isna(dates[i]):
            raise refused(f"row {i + 2}: date {frame['date'][i]!r} is not YYYY-MM-DD", i + 2, "date", frame["date"][i])
        if pd.isna(users[i]) or not math.isfinite(users[i]) or users[i] <= 0:
            raise refused(
                f"row {i + 2}: users {frame['users'][i]!r} must be a number above 0", i + 2, "users", frame["users"][i]
            )
    twice = pd.DataFrame({"date": dates, "users": users}).groupby("date")["users"].nunique()
    if (twice > 1).any():
        day = twice.index[int(np.argmax((twice > 1).to_numpy()))].date()
        raise refused(f"{day} is given twice with different users; keep one row per date", field="date", value=day)
    if len(frame) < least:
        needs = "at least two rows to fit a growth rate" if least == 2 else f"at least {least} row"
        raise refused(f"needs {needs}")
    table = pd.DataFrame({"date": dates.dt.date, "users": users.astype(float)}).drop_duplicates()
    return table.sort_values("date", ignore_index=True)


def fit_growth(actuals: pd.DataFrame) -> Growth:
    """Compound monthly growth fitted to actuals (least squares on log users); today is the last row."""
    days = np.array([(d - actuals["date"][0]).days for d in actuals["date"]], dtype=float)
    if np.ptp(days) == 0:
        raise InputError("all rows have the same date; a growth rate needs at least two dates", what="actuals")
    slope_per_day = np.polyfit(days, np.log(actuals["users"].to_numpy()), 1)[0]
    rate = math.expm1(slope_per_day * DAYS_PER_CALENDAR_MONTH)
    last = actuals.iloc[-1]
    span = f"{actuals['date'][0]} to {last['date']}"
    return Growth(last["date"], float(last["users"]), rate, f"fitted to {len(actuals)} actuals, {span}")


def assumed_growth(users: float, rate_monthly: float, as_of: dt.date) -> Growth:
    """Growth from an assumed monthly rate, starting at ``users`` on ``as_of``."""
    if not math.isfinite(rate_monthly) or rate_monthly <= -1:
        raise InputError(f"growth rate = {rate_monthly} is not allowed: must be a number above -1 (0.1 = 10 % a month)")
    return Growth(as_of, float(users), float(rate_monthly), f"assumed {rate_monthly:.1%} a month")


def months_until(target_users: float, users: float, rate_monthly: float) -> float:
    """Months of compound growth from ``users`` to ``target_users`` (inf if never, 0 if passed)."""
    if target_users <= users:
        return 0.0
    if rate_monthly <= 0 or not math.isfinite(target_users):
        return math.inf
    return math.log(target_users / users) / math.log1p(rate_monthly)


def date_after(as_of: dt.date, months: float) -> dt.date | None:
    """The date ``months`` after ``as_of`` (None when never)."""
    if not math.isfinite(months):
        return None
    return as_of + dt.timedelta(days=round(months * DAYS_PER_CALENDAR_MONTH))


def timeline(plan: Plan, growth: Growth) -> pd.DataFrame:
    """For every limit (by its label, with its component and metric ids): the users and the
    date at which it reaches watch, act and the limit."""
    rows = []
    for r in plan.load.itertuples():
        row = {"limit": r.label, "component": r.component, "metric": r.metric, "kind": r.kind, "status now": r.status}
        for label, users in (("watch", r.users_at_watch), ("act", r.users_at_act), ("limit", r.max_users)):
            row[f"{label} at users"] = users
            row[f"{label} date"] = date_after(growth.as_of, months_until(users, growth.users, growth.rate_monthly))
        rows.append(row)
    return pd.DataFrame(rows)
