"""The generic metered component against hand-worked bills and quotas."""

from __future__ import annotations

import pytest

from capkit.errors import StackError
from tests.conftest import cost_of, load_row, plan_of, stack_of

SOURCE = {"source": "https://example.com/pricing", "as_of": "2026-11-01"}


def metered(**params):
    return {"id": "sms", "type": "metered", "params": {"unit": "SMS", **params}}


def test_per_active_user_with_daily_free_quota_and_catalog_price():
    # Seed 002's phone sign-ups: 0.08 SMS per monthly active user, at Firebase's $0.01 per SMS
    # (catalog firebase.auth.sms_usd), 10 free SMS a day.
    s = stack_of(
        [
            metered(
                driver="active_user",
                units_per_driver="sms_per_mau",
                price_usd_per_unit="firebase.auth.sms_usd",
                free_units_per_day=10,
                max_units_per_day=3000,
            )
        ],
        sms_per_mau=0.08,
    )
    p = plan_of(s, users=10_000, dau_mau=0.5, days_per_month=30)
    # 10,000 DAU / 0.5 = 20,000 MAU x 0.08 = 1,600 SMS a month, 53.33 a day.
    # Billed: (53.33 - 10) x 30 = 1,300 SMS x $0.01 = $13.00.
    assert cost_of(p, "sms", "usage") == pytest.approx(13.00)
    row = load_row(p, "sms", "units_per_day")
    assert row["demand"] == pytest.approx(1600 / 30)
    # 3,000 a day at 0.08 x 2 / 30 SMS per DAU a day: 3,000 / (0.16 / 30) = 562,500 DAU.
    assert row["max_users"] == pytest.approx(562_500)
    assert s.price_entries()[0][0] == "firebase.auth.sms_usd"


def test_per_call_with_monthly_allowance_fee_and_peak_rate_limit():
    # A maps API: 0.5 map loads per call, $0.007 each after 10,000 free a month, $25 a month,
    # at most 50 loads/s.
    s = stack_of(
        [
            metered(
                unit="map load",
                driver="call",
                units_per_driver=0.5,
                price_usd_per_unit={"value": 0.007, **SOURCE},
                monthly_fee_usd={"value": 25, **SOURCE},
                free_units_per_month=10_000,
                max_units_per_s=50,
            )
        ]
    )
    p = plan_of(s, users=1_000, calls_per_user=20, days_per_month=30, peak_factor=3)
    # 1,000 x 20 x 30 = 600,000 calls x 0.5 = 300,000 loads; (300,000 - 10,000) x $0.007 = $2,030.
    assert cost_of(p, "sms", "usage") == pytest.approx(2_030)
    assert cost_of(p, "sms", "monthly_fee") == pytest.approx(25)
    # Peak: 10,000 loads a day / 86,400 s x 3 = 0.3472 loads/s; 50 loads/s at 1,000 x 50 / 0.3472 = 144,000 users.
    row = load_row(p, "sms", "units_per_s")
    assert row["demand"] == pytest.approx(10_000 / 86_400 * 3)
    assert row["max_users"] == pytest.approx(144_000)
    assert p.summary["bottleneck"]["component"] == "sms"
    assert {k for k, _ in s.price_entries()} >= {"sms.price_usd_per_unit", "sms.monthly_fee_usd"}


def test_per_paying_user_and_per_month():
    # A payment processor's $0.30 per paying user, and a fixed 1,000 units a month at $0.01.
    s = stack_of(
        [
            metered(unit="payment", driver="paying_user", price_usd_per_unit={"value": 0.30, **SOURCE}),
            {
                **metered(
                    unit="job", driver="month", units_per_driver=1000, price_usd_per_unit={"value": 0.01, **SOURCE}
                ),
                "id": "jobs",
            },
        ]
    )
    p = plan_of(s, users=10_000, dau_mau=0.5, conversion_rate=0.05)
    # 20,000 MAU x 5 % = 1,000 paying users x $0.30 = $300.
    assert cost_of(p, "sms", "usage") == pytest.approx(300)
    assert cost_of(p, "jobs", "usage") == pytest.approx(10)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_usd_per_unit": {"value": 0.01}}, "source"),
        ({"price_usd_per_unit": {"value": 0.01, "source": "https://x.org"}}, "as_of"),
        ({"price_usd_per_unit": "no.such.key"}, "'no.such.key' is not a pricing catalog key"),
        ({"price_usd_per_unit": {"value": 0.01, **SOURCE}, "driver": "weekly"}, "driver"),
        ({"price_usd_per_unit": {"value": 0.01, **SOURCE}, "units_per_driver": "undeclared"}, "undeclared"),
    ],
)
def test_bad_metered_params_are_named(params, message):
    with pytest.raises(StackError, match=message):
        stack_of([metered(**{"driver": "call", **params})])
