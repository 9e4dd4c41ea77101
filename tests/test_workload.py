"""Workload validation: every bad value names the field, the value and what is allowed."""

import numpy as np
import pytest

import capkit
from capkit.errors import InputError
from capkit.workload import UNIVERSAL, check_range, parse_assignments


@pytest.fixture
def stack():
    return capkit.load_stack("aws-serverless")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("users", -5, "users = -5 is not allowed: must be a number from 0 to"),
        ("users", float("nan"), "users = nan is not allowed"),
        ("users", float("inf"), "users = inf is not allowed"),
        ("conversion_rate", 1.5, "conversion_rate = 1.5 is not allowed: must be a number from 0 to 1"),
        ("memory_mb", 64, "memory_mb = 64 is not allowed: must be a number from 128 to 10,240"),
    ],
)
def test_out_of_range_values(stack, field, value, message):
    with pytest.raises(capkit.InputError, match=message.replace("(", r"\(")) as info:
        stack.workload(**{field: value})
    assert isinstance(info.value, ValueError)


def test_unknown_key_lists_the_allowed(stack):
    with pytest.raises(capkit.InputError, match="unknown assumption 'foo' for stack aws-serverless; allowed: users"):
        stack.workload(foo=1)


def test_non_numbers():
    with pytest.raises(capkit.InputError, match="the value must be a number"):
        parse_assignments(["users=abc"])
    with pytest.raises(capkit.InputError, match="expected key=value"):
        parse_assignments(["users"])
    assert parse_assignments(["users=100_000", "peak_factor=2.5"]) == {"users": 100_000.0, "peak_factor": 2.5}


def test_arrays_broadcast(stack):
    wl = stack.workload(users=np.array([1.0, 2.0, 3.0]))
    assert wl.n == 3 and list(wl.calls_per_user) == [10, 10, 10]
    with pytest.raises(capkit.InputError, match="has 2 values but others have 3"):
        stack.workload(users=[1, 2, 3], calls_per_user=[1, 2])


def test_derived_traffic(stack):
    wl = stack.workload(users=86_400, calls_per_user=10, peak_factor=3, dau_mau=0.5, days_per_month=30)
    assert wl.average_rps()[0] == 10 and wl.peak_rps()[0] == 30
    assert wl.requests_per_month()[0] == 86_400 * 10 * 30
    assert wl.monthly_active_users()[0] == 172_800


def test_payment_fee_defaults_come_from_the_catalog(stack):
    cat = capkit.default_catalog()
    assert stack.specs["payment_fee_rate"].default == cat.value("payments.card.fee_rate")
    assert stack.specs["payment_fee_usd"].default == cat.value("payments.card.fee_usd")


def test_a_range_error_does_not_repeat_itself():
    """users' unit is "daily active users": the message says it once, then what the field means."""
    with pytest.raises(InputError) as err:
        check_range("users", np.array([-1.0]), UNIVERSAL["users"])
    message = str(err.value)
    assert message.lower().count("daily active users") == 1, message
    assert "must be a number from 0 to 1e+10 (daily active users; People who use the app" in message
