"""capkit calibrate: bills read in each published format, lines mapped, assumptions recovered."""

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import capkit
from capkit import cli
from capkit.bills import CUR_COLUMNS, model_cur, read_bill
from capkit.calibrate import calibrate

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def write_users(path, first_users=20_000.0, growth=0.20):
    """Daily active users growing 20 % a month, one row a day over MONTHS."""
    day, rows = dt.date(2026, 1, 1), []
    while day < dt.date(2026, 7, 1):
        months_in = (day - dt.date(2026, 1, 1)).days / (365.25 / 12)
        rows.append((day.isoformat(), first_users * (1 + growth) ** months_in))
        day += dt.timedelta(days=1)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "users"])
        w.writerows(rows)
    return rows


def month_users(rows):
    out = {}
    for d, u in rows:
        out.setdefault(d[:7], []).append(u)
    return {m: float(np.mean(v)) for m, v in out.items()}


def write_cur(path, users_by_month, values, noise=0.03, seed=0, extra_rows=()):
    """A CUR of capkit's own aws-serverless model at ``values`` (capkit.bills.model_cur), each
    line's quantity off by up to ``noise``, plus ``extra_rows`` (lists in CUR_COLUMNS order)."""
    frame = model_cur(capkit.load_stack("aws-serverless"), values, users_by_month, noise=noise, seed=seed)
    frame = pd.concat([frame, pd.DataFrame(list(extra_rows), columns=CUR_COLUMNS)], ignore_index=True)
    frame.to_csv(path, index=False)


TRUE = {"calls_per_user": 14, "duration_ms": 800}


@pytest.fixture
def bill(tmp_path):
    rows = write_users(tmp_path / "users.csv")
    unmapped = [["x1", "Usage", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z",
                 "AmazonCloudWatch", "EUN1-CW:Requests", "Get", 1000, "USD", 0.01]]  # fmt: skip
    write_cur(tmp_path / "cur.csv", month_users(rows), TRUE, extra_rows=unmapped)
    return tmp_path


def test_calibrate_recovers_calls_and_duration_from_a_noisy_six_month_cur(bill):
    # The bill was made by capkit's model at 14 calls per user and 800 ms (the stack says 10 and
    # 2,000 ms), users growing 20 % a month, each line off by up to 3 %.
    result = calibrate("aws-serverless", [bill / "cur.csv"], bill / "users.csv")
    assert result.months == MONTHS and result.partial_months == []
    assert result.values_after["calls_per_user"] == pytest.approx(14, rel=0.05)
    assert result.values_after["duration_ms"] == pytest.approx(800, rel=0.05)
    assert (result.summary["error_after"].abs() < 0.05).all(), result.summary[["line", "error_after"]]
    # Memory only acts with duration (GB-seconds): held, and named with what it cannot be told from.
    memory = result.assumptions.set_index("assumption").loc["memory_mb"]
    assert memory["after"] == 512 and "duration_ms" in memory["status"]
    # The line that maps to nothing is listed with its cost, not dropped.
    assert list(result.unmapped["usage"]) == ["EUN1-CW:Requests"] and result.unmapped["cost_usd"].sum() == 0.01


def test_the_calibrated_stack_round_trips(bill, tmp_path):
    result = calibrate("aws-serverless", [bill / "cur.csv"], bill / "users.csv")
    out = tmp_path / "mine.yaml"
    out.write_text(result.stack_yaml())
    assert cli.main(["stack", "check", str(out)]) == 0
    mine = capkit.load_stack(str(out))
    preset = capkit.load_stack("aws-serverless")
    fitted = {k: result.values_after[k] for k in result.fitted}
    a = capkit.evaluate(mine, mine.workload(users=50_000)).to_json()
    b = capkit.evaluate(preset, preset.workload(users=50_000, **fitted)).to_json()
    assert a["monthly_cost_usd"] == b["monthly_cost_usd"] and a["components"] == b["components"]
    assert "calibrated from cur.csv, 2026-01 to 2026-06" in out.read_text()


def test_cli_calibrate_prints_the_tables_and_writes_the_stack(bill, tmp_path, capsys):
    out = tmp_path / "calibrated.yaml"
    argv = [
        "calibrate",
        "--stack",
        "aws-serverless",
        "--bill",
        str(bill / "cur.csv"),
        "--users",
        str(bill / "users.csv"),
    ]
    assert cli.main([*argv, "--out", str(out), "--hold", "reads_per_call"]) == 0
    text = capsys.readouterr().out
    assert "Model against your bill" in text and "lambda: requests" in text and "calls_per_user" in text
    assert "held at its value (asked)" in text and out.is_file()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("a,b\n1,2\n", "unknown columns a, b"),
        ("month,component,item,quantity,cost_usd\n", "no lines under the header"),
        (
            "month,component,item,quantity,cost_usd\n2026-01,lambda,requests,-5,1\n",
            "row 2: quantity '-5' is not allowed",
        ),
        (
            "month,component,item,quantity,cost_usd\n2026-13,lambda,requests,5,1\n",
            "row 2: month '2026-13' is not YYYY-MM",
        ),
    ],
)
def test_bad_bills_are_refused_naming_file_and_row(tmp_path, content, message):
    path = tmp_path / "bill.csv"
    path.write_text(content)
    with pytest.raises(capkit.InputError, match=message):
        read_bill(path)


def test_a_currency_other_than_usd_is_refused(tmp_path, capsys):
    rows = write_users(tmp_path / "users.csv")
    write_cur(tmp_path / "cur.csv", month_users(rows), TRUE)
    text = (tmp_path / "cur.csv").read_text().replace(",USD,", ",EUR,", 1)
    (tmp_path / "cur.csv").write_text(text)
    argv = ["calibrate", "--stack", "aws-serverless", "--bill", str(tmp_path / "cur.csv")]
    assert cli.main([*argv, "--users", str(tmp_path / "users.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 2: currency 'EUR' is not allowed" in err and len(err.strip().splitlines()) == 1


def test_months_without_users_are_refused(bill, tmp_path):
    (tmp_path / "few.csv").write_text("date,users\n2026-01-01,100\n2026-01-02,110\n")
    with pytest.raises(capkit.InputError, match="no daily active users for 2026-02, 2026-03"):
        calibrate("aws-serverless", [bill / "cur.csv"], tmp_path / "few.csv")


def test_a_partial_month_is_flagged_and_left_out(bill, tmp_path):
    # July's lines start on the 15th: a month the bill covers only in part.
    text = (bill / "cur.csv").read_text()
    july = [
        line.replace("2026-06-01T00:00:00Z", "2026-07-15T00:00:00Z").replace(
            "2026-07-01T00:00:00Z", "2026-08-01T00:00:00Z"
        )
        for line in text.splitlines()
        if line.startswith("2026-06-")
    ]
    (tmp_path / "more.csv").write_text(text + "\n".join(july) + "\n")
    result = calibrate("aws-serverless", [tmp_path / "more.csv"], bill / "users.csv")
    assert result.partial_months == ["2026-07"] and "2026-07" not in result.months


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "bills"


@pytest.mark.parametrize(
    ("name", "fmt", "stack"),
    [("cur-legacy.csv", "aws-cur", "aws-serverless"), ("cur2.csv", "aws-cur2", "aws-serverless")],
)
def test_both_cur_column_sets_read_and_map_alike(name, fmt, stack):
    from capkit.bills import map_lines

    bill = read_bill(FIXTURES / name)
    assert bill.format == fmt and bill.partial_months == ()
    lines = map_lines(capkit.load_stack(stack), [bill]).set_index("usage")
    # EUN1-WriteRequestUnits bills the tables' and the indexes' write units together.
    assert lines.loc["EUN1-WriteRequestUnits", "items"] == ("write_request_units_tables", "write_request_units_gsis")
    assert lines.loc["EUN1-Lambda-GB-Second", "quantity"] == 3_100_000
    # CloudWatch is in no stack: unmapped, with its $0.12 kept.
    assert lines.loc["EUN1-CW:Requests", "target"] == "" and lines.loc["EUN1-CW:Requests", "cost_usd"] == 0.12


def test_the_gcp_export_reads_storage_byte_seconds_as_gib_months():
    from capkit.bills import map_lines

    bill = read_bill(FIXTURES / "gcp-billing.csv")
    lines = map_lines(capkit.load_stack("render-firestore"), [bill]).set_index("usage")
    # 10 GiB kept all March: 10 x 2^30 bytes x 31 days x 86,400 s = 2.8759e16 byte-seconds -> 10 GiB-months.
    assert lines.loc["Cloud Firestore Stored Data", "quantity"] == pytest.approx(10)
    # Cloud Storage: 2 GiB-months = 2.147 GB-months (capkit's firebase_storage counts 10^9 bytes).
    assert lines.loc["Standard Storage US Multi-region", "quantity"] == pytest.approx(2 * 1.073741824)
    assert lines.loc["Cloud Firestore Read Ops", "target"] == "firestore"


def test_capkit_csv_names_components_and_item_keys():
    from capkit.bills import map_lines

    lines = map_lines(capkit.load_stack("render-postgres"), [read_bill(FIXTURES / "capkit.csv")])
    mapped = lines[lines["target"] != ""]
    assert set(mapped["target"]) == {"render_web", "postgres", "email"}
    # "sentry: support" is not a cost item key of the stack: listed, with its $29.
    assert lines[lines["target"] == ""]["cost_usd"].tolist() == [29.0]


def test_one_gcp_month_calibrates_firestore_reads(tmp_path):
    # March: 9,000,000 document reads for 3,000 daily users x 10 calls x 31 days = 930,000 calls:
    # 9.677 reads per call against the preset's figure; writes 1,800,000 / 930,000 = 1.935.
    (tmp_path / "users.csv").write_text("date,users\n2026-03-01,3000\n2026-03-31,3000\n")
    result = calibrate(
        "render-firestore",
        [FIXTURES / "gcp-billing.csv"],
        tmp_path / "users.csv",
        hold=["calls_per_user"],
        settings={"calls_per_user": 10, "cache_hit_rate": 0},
    )
    assert result.values_after["reads_per_call"] == pytest.approx(9_000_000 / 930_000, rel=1e-3)
    assert result.values_after["writes_per_call"] == pytest.approx(1_800_000 / 930_000, rel=1e-3)


def test_fit_frees_an_assumption_the_bill_cannot_separate(bill):
    # Freed, memory moves with duration (only their product is billed): the GB-seconds line is
    # met either way, and both are reported as fitted.
    result = calibrate("aws-serverless", [bill / "cur.csv"], bill / "users.csv", fit=["memory_mb"])
    status = result.assumptions.set_index("assumption")["status"]
    assert status["memory_mb"] == "fitted" and status["duration_ms"] == "fitted"
    gb_s = result.summary.set_index("line").loc["lambda: compute"]
    assert abs(gb_s["error_after"]) < 0.05


def test_a_bad_users_file_is_named_by_calibrates_flag(tmp_path, capsys):
    """The library names the file as the users file (its role); capkit calibrate prints its
    own flag, --users, never --actuals (the report's)."""
    from capkit import cli
    from capkit.calibrate import example_bill

    bills, _ = example_bill()
    users = tmp_path / "users.csv"
    users.write_text("date,users\n2026-01-15,many\n")
    assert cli.main(["calibrate", "--stack", "aws-serverless", "--bill", str(bills[0]), "--users", str(users)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"capkit: error: --users {users}: row 2: users 'many' must be a number above 0")
    assert "--actuals" not in err


# --- real bills: FOCUS, line types, partial months, an honest fit -------------------------------
FIXTURES = Path(__file__).parent / "fixtures" / "bills"


def test_a_focus_export_is_read_and_its_aws_rows_map_to_the_stacks_items():
    """The FOCUS project's sample (1,000 real lines of September 2024): 997 Usage, 1 Credit and 2
    Adjustment lines (ChargeCategory). Its Lambda requests are 1 + 60 = 61 (two lines), its
    DynamoDB write request units 145 (one line), as the file says."""
    from capkit.bills import map_lines, read_bill

    bill = read_bill(FIXTURES / "focus-1.0-sample.csv")
    assert bill.format == "focus" and bill.cost_column == "BilledCost" and bill.partial_months == ()
    assert bill.lines["kind"].value_counts().to_dict() == {"usage": 997, "adjustment": 2, "credit": 1}
    mapped = map_lines(capkit.load_stack("aws-serverless"), [bill])
    by_item = mapped[mapped["target"] != ""].groupby(["target", "items"])["quantity"].sum()
    assert by_item[("lambda", ("requests",))] == pytest.approx(61)
    assert by_item[("dynamodb", ("write_request_units_tables", "write_request_units_gsis"))] == pytest.approx(145)
    assert {("s3", ("get_requests",)), ("s3", ("storage",)), ("lambda", ("compute",))} <= set(by_item.index)


def test_calibrate_reads_the_focus_sample_and_says_the_fit_is_exact(tmp_path, capsys):
    """One month and nine bill lines, fitted with nine assumptions: exact by construction, so
    no uncertainty and no claim; the items the rows map to are named; the credit and the two
    adjustments are beside the fit; the unmapped usage is a few dozen grouped rows at most."""
    from capkit import cli

    users = tmp_path / "users.csv"
    users.write_text("date,users\n2024-09-01,3\n2024-09-30,3\n")
    argv = ["calibrate", "--stack", "aws-serverless", "--bill", str(FIXTURES / "focus-1.0-sample.csv")]
    assert cli.main([*argv, "--users", str(users), "--allow-bound"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    assert "1 full month (2024-09 to 2024-09)" in flat and "cost column BilledCost" in flat
    assert "Lambda: requests" in out and "S3: get requests" in out and "DynamoDB: read request units" in out
    assert "The fit is exact by construction" in out and "±" not in out
    other = out.split("Charges that are not usage")[1].split("Usage lines that map")[0]
    assert "credit" in other and "-$2.61" in other and "adjustment" in other and "$0.27" in other
    assert "Usage lines that map to no cost item of the stack:" in out
    from capkit.calibrate import calibrate, calibration_tables

    result = calibrate("aws-serverless", [FIXTURES / "focus-1.0-sample.csv"], users)
    groups = calibration_tables(result)["unmapped"]
    assert len(groups) <= 30 and groups["service and usage"].iloc[-1] == "total"
    assert groups["lines"].iloc[-1] == f"{len(result.unmapped):,}"  # every unmapped usage line counted


def test_a_bill_of_fourteen_days_is_a_partial_month_whatever_its_tax_line_says():
    """cur-line-types.csv: July's usage runs from the 1st to the 14th, its Tax line over the
    whole month. July is partial (usage on 14 of its 31 days) and left out; the six full months
    are fitted exactly as without the added lines, which are totalled apart: tax 7 x $25 = $175,
    the credit -$100, the refund -$12.50, the fee $29."""
    from capkit.calibrate import calibrate, example_bill

    bills, users = example_bill()
    plain = calibrate("aws-serverless", bills, users)
    typed = calibrate("aws-serverless", [FIXTURES / "cur-line-types.csv"], users)
    assert typed.months == plain.months == [f"2026-0{m}" for m in range(1, 7)]
    assert typed.partial_why == ["2026-07: usage on 14 of its 31 days, 2026-07-01 to 2026-07-14"]
    assert typed.values_after == pytest.approx(plain.values_after)
    totals = dict(zip(typed.other_charges["kind"], typed.other_charges["cost_usd"], strict=True))
    assert totals == pytest.approx({"tax": 175.0, "credit": -100.0, "refund": -12.5, "fee": 29.0})


def test_each_fitted_value_has_its_standard_error_everywhere():
    """The example bill was made at 800 ms and 14 calls per user with up to 3 % noise per line:
    the fit finds about 797 ms and 14.1, each within a few standard errors of the truth; the
    table, the JSON and the calibrated stack file carry the uncertainty."""
    from capkit.calibrate import calibrate, calibration_json, calibration_tables, example_bill

    bills, users = example_bill()
    result = calibrate("aws-serverless", bills, users)
    se = result.std_errors["duration_ms"]
    assert not result.exact and 0 < se < 50 and abs(result.values_after["duration_ms"] - 800) < 4 * se
    assert abs(result.values_after["calls_per_user"] - 14) < 4 * result.std_errors["calls_per_user"]
    assert result.plus_minus("duration_ms") == f"{result.values_after['duration_ms']:.4g} ± {se:.2g} ms"
    row = calibration_tables(result)["assumptions"].set_index("assumption").loc["duration_ms"]
    assert row["± (std. error)"] == f"{se:.2g}"
    assert calibration_json(result)["std_errors"]["duration_ms"] == pytest.approx(se)
    written = yaml.safe_load(result.stack_yaml())["assumptions"]["duration_ms"]
    assert written["source"].endswith(f": {result.values_after['duration_ms']:.4g} ± {se:.2g} ms")


def test_the_cost_column_is_chosen_and_a_wrong_one_is_named(tmp_path, capsys):
    from capkit import cli
    from capkit.bills import read_bill

    bill = read_bill(FIXTURES / "focus-1.0-sample.csv", cost_column="EffectiveCost")
    assert bill.cost_column == "EffectiveCost"
    users = tmp_path / "users.csv"
    users.write_text("date,users\n2024-09-15,3\n")
    argv = ["calibrate", "--stack", "aws-serverless", "--bill", str(FIXTURES / "focus-1.0-sample.csv")]
    assert cli.main([*argv, "--users", str(users), "--cost-column", "Cost"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("capkit: error: --cost-column 'Cost': not a column of focus-1.0-sample.csv")
    assert "BilledCost, EffectiveCost" in err
