"""Growth: a fitted rate recovers a known compound growth; dates follow from it."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import capkit
from capkit.growth import assumed_growth, date_after, fit_growth, months_until, read_actuals, timeline


def test_fit_recovers_compound_growth(tmp_path):
    # 1,000 users growing 10 % a month, sampled every 30.4375 days (one month): rate 0.10 exactly.
    start = dt.date(2026, 1, 1)
    rows = [(start + dt.timedelta(days=round(30.4375 * k)), 1000 * 1.1**k) for k in range(6)]
    path = tmp_path / "actuals.csv"
    pd.DataFrame(rows, columns=["date", "users"]).to_csv(path, index=False)
    g = fit_growth(read_actuals(path))
    assert g.rate_monthly == pytest.approx(0.10, abs=2e-3)
    assert g.users == pytest.approx(1000 * 1.1**5) and g.as_of == rows[-1][0]


def test_months_and_dates():
    # From 1,000 to 2,000 users at 10 % a month: log 2 / log 1.1 = 7.27 months.
    assert months_until(2000, 1000, 0.10) == pytest.approx(math.log(2) / math.log(1.1))
    assert months_until(500, 1000, 0.10) == 0
    assert months_until(2000, 1000, 0.0) == math.inf
    assert date_after(dt.date(2026, 1, 1), 12) == dt.date(2027, 1, 1)
    assert date_after(dt.date(2026, 1, 1), math.inf) is None


def test_timeline_dates_for_lambda_concurrency():
    # aws-serverless at 100,000 users: Lambda concurrency reaches its limit at 1,440,000 users.
    # At 50 % a month: log(14.4) / log(1.5) = 6.58 months after 2026-11-23.
    s = capkit.load_stack("aws-serverless")
    plan = capkit.evaluate(s, s.workload(users=100_000))
    t = timeline(plan, assumed_growth(100_000, 0.5, dt.date(2026, 11, 23)))
    row = t[(t["component"] == "lambda") & (t["metric"] == "concurrency")].iloc[0]
    months = math.log(14.4) / math.log(1.5)
    assert row["limit date"] == dt.date(2026, 11, 23) + dt.timedelta(days=round(months * 365.25 / 12))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,users\n2026-01-01,5\n", "needs columns date,users; missing date"),
        ("date,users\n2026-13-01,5\n2026-01-02,6\n", "row 2: date '2026-13-01' is not YYYY-MM-DD"),
        ("date,users\n2026-01-01,-5\n2026-01-02,6\n", "row 2: users '-5' must be a number above 0"),
        ("date,users\n2026-01-01,5\n", "needs at least two rows"),
    ],
)
def test_bad_actuals(tmp_path, text, message):
    path = tmp_path / "a.csv"
    path.write_text(text)
    with pytest.raises(capkit.InputError, match=message):
        read_actuals(path)


def test_bad_growth_rate():
    with pytest.raises(capkit.InputError, match="growth rate = -1.5 is not allowed"):
        assumed_growth(1000, -1.5, dt.date(2026, 1, 1))


def test_report_dates_the_roadmap_phases():
    from capkit.analysis.roadmap import roadmap_table
    from capkit.report import Report, ReportParams

    r = Report.build(
        ReportParams("render-postgres", {"users": 20_000}, growth_rate_monthly=0.2, report_date="2026-11-23")
    )
    html = r.roadmap_html().markup
    # The first phase that starts above today's 20,000 users begins log(u / 20,000) / log(1.2) months on.
    levels = np.geomspace(2_000, 20_000_000, int(20 * np.log10(10_000)) + 1)
    table = roadmap_table(capkit.roadmap(r.stack, r.stack.workload(**r.plan.workload), levels))
    first = table[table["users_from"] > 20_000].iloc[0]
    expected = date_after(dt.date(2026, 11, 23), months_until(first["users_from"], 20_000, 0.2))
    assert f"<td class='text name'>{expected.isoformat()}</td>" in html
    # The phases that end below 20,000 users fold into one row; the one holding 20,000 is now.
    behind = int((table["users_to"] < 20_000).sum())
    assert behind >= 2 and f"behind today ({behind} phases)" in html and html.count("behind today") == 1
    assert "<tr class='capkit-current'><td class='text name'>now (today&#x27;s users)</td>" in html
