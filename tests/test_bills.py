"""Bills in: formats told by their columns, lines mapped to cost items, unmapped lines grouped."""

import pandas as pd
import pytest

from capkit.bills import map_lines, read_bill, users_by_month
from capkit.calibrate import unmapped_groups
from capkit.pricing import data_path
from capkit.stack import load_stack

EXAMPLES = data_path("examples")


def test_the_example_cur_is_read_as_a_cur_and_maps_to_the_stacks_items():
    bill = read_bill(EXAMPLES / "aws-serverless-cur.csv")
    assert bill.format == "aws-cur"
    mapped = map_lines(load_stack("aws-serverless"), [bill])
    assert (mapped["target"] != "").all(), mapped.loc[mapped["target"] == "", "usage"].tolist()
    assert {"lambda", "dynamodb", "s3"} <= set(mapped["target"])


def test_users_by_month_is_the_mean_of_each_months_rows(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("date,users\n2026-01-01,100\n2026-01-31,300\n2026-02-10,50\n")
    assert users_by_month(users, ["2026-01", "2026-02"]) == {"2026-01": 200.0, "2026-02": 50.0}


def test_unmapped_lines_are_grouped_by_service_and_usage_dearest_first():
    lines = pd.DataFrame(
        {
            "file": "b.csv",
            "row": range(2, 8),
            "month": ["2026-01", "2026-01", "2026-02", "2026-01", "2026-02", "2026-02"],
            "service": ["AmazonEC2", "AmazonEC2", "AmazonEC2", "AWSCloudTrail", "AmazonRDS", "AmazonEC2"],
            "usage": ["BoxUsage:t3", "BoxUsage:t3", "BoxUsage:t3", "Events", "InstanceUsage", "EBS:Volume"],
            "quantity": 1.0,
            "cost_usd": [10.0, 10.0, 10.0, 1.0, 50.0, 5.0],
        }
    )
    table = unmapped_groups(lines.assign(unit="Hrs"))
    # The groups dearest first, then a total: 50 + 30 + 5 + 1 = $86 over 6 lines and 2 months.
    assert list(table["service and usage"]) == [
        "AmazonRDS InstanceUsage",
        "AmazonEC2 BoxUsage:t3",
        "AmazonEC2 EBS:Volume",
        "AWSCloudTrail Events",
        "total",
    ]
    assert list(table["lines"]) == ["1", "3", "1", "1", "6"] and list(table["months"]) == [1, 2, 1, 1, 2]
    assert list(table["usage"]) == ["1 Hrs", "3 Hrs", "1 Hrs", "1 Hrs", ""]
    assert list(table["cost"]) == ["$50.00", "$30.00", "$5.00", "$1.00", "$86.00"]


@pytest.mark.parametrize("shown", [2])
def test_past_the_shown_groups_one_row_sums_the_rest(monkeypatch, shown):
    import capkit.calibrate as calibrate

    monkeypatch.setattr(calibrate, "UNMAPPED_SHOWN", shown)
    lines = pd.DataFrame(
        {
            "row": range(4),
            "month": "2026-01",
            "service": "S",
            "usage": list("abcd"),
            "quantity": 1.0,
            "cost_usd": [4.0, 3.0, 2.0, 1.0],
        }
    )
    table = unmapped_groups(lines)
    assert list(table["service and usage"]) == ["S a", "S b", "2 other groups", "total"]
    assert table["cost"].iloc[-2] == "$3.00" and table["lines"].iloc[-2] == "2"
    assert table["cost"].iloc[-1] == "$10.00" and table["lines"].iloc[-1] == "4"
