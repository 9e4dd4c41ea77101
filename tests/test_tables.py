"""Tables and figures for people: the one formatting layer (capkit.tables)."""

import math

import pytest

import capkit
from capkit.tables import answer_parts, bites_at, configuration_text, count, limits_text, money, per_user, share


@pytest.mark.parametrize(
    ("value", "text"), [(12.345, "$12.35"), (99.994, "$99.99"), (1547.5, "$1,548"), (None, "n/a"), (math.inf, "n/a")]
)
def test_money_shows_cents_below_a_hundred_dollars(value, text):
    assert money(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(2880.4, "2,880"), (3.14159, "3.14"), (math.inf, "never"), (None, "never")]
)
def test_counts_are_whole_past_ten_and_never_when_unbounded(value, text):
    assert count(value) == text


def test_per_user_and_shares_say_na_when_undefined():
    assert per_user(0.012834) == "$0.0128" and per_user(None) == "n/a" and per_user(math.nan) == "n/a"
    assert share(0.98877) == "98.9%" and share(None, "n/a (no revenue)") == "n/a (no revenue)"


def test_configuration_text_names_components_counts_disks_and_replicas():
    """Components by their names, plans in words ("pro_16gb" reads "Pro 16 GB"), counts with
    their nouns from labels.yaml, no replicas left unsaid."""
    text = configuration_text(
        {
            "render_web": {"plan": "starter", "instances": 50, "processes_per_instance": 2},
            "postgres": {"plan": "pro_16gb", "read_replicas": 2, "disk_gb": 40.0},
            "cache": {"plan": "payg", "read_replicas": 0},
            "api": {"plan": "pro", "instances": 1, "processes_per_instance": 1},
        },
        {"render_web": "Render web service", "postgres": "Render Postgres"},
    )
    assert text == (
        "Render web service: Starter, 50 instances, 2 processes each; Render Postgres: Pro 16 GB, 2 read replicas, "
        "40 GB disk; cache: pay as you go; api: Pro, 1 instance, 1 process each"
    )


def test_the_answer_as_configured_and_over_names_the_first_limit():
    """render-postgres as written at 100,000 users: Starter's 0.5 CPU at 100 ms a call carries 5
    requests/s against 173.6, so Web CPU is over first; the head and the lines say so."""
    s = capkit.load_stack("render-postgres")
    plan = capkit.evaluate(s, s.workload(users=100_000))
    (lead, between, figure, after), lines = answer_parts(plan)
    assert lead.startswith("Over its limits at 100,000 users: ") and figure.endswith("/month")
    assert after == " as configured" and between.startswith(" at ")
    assert [key for key, _, _ in lines][-1] == "over"
    assert any(key == "unfit" and "expires 30 days" in text[0] for key, _, text in lines)


def test_no_option_fits_says_the_limit_is_the_providers_largest():
    """render-postgres at 1,000,000 users: sync workers need more connections than the 500 any
    Render Postgres type takes; the sentence names the entry it comes from."""
    s = capkit.load_stack("render-postgres")
    plan = capkit.right_size(s, s.workload(users=1_000_000))
    assert not plan.fits
    text = limits_text(plan)
    assert "Postgres connections at" in text and "already the largest the provider offers (500 connections" in text
    assert "render.postgres." in text and "max_connections" in text


def test_the_next_limit_of_a_stack_already_over_it_says_since_when():
    """render-postgres as written at 100,000 users: Gmail's 500 sends a day are reached where
    users / 0.2 DAU/MAU x 2 emails a month / 30.4 days = 500, at 500 x 30.4 x 0.2 / 2 = 1,520
    users, long before 100,000: the card says "over since 1,520", not a count still to come."""
    s = capkit.load_stack("render-postgres")
    over = capkit.evaluate(s, s.workload(users=100_000))
    assert bites_at(over) == "over since 1,520"
    fits = capkit.right_size(s, s.workload(users=100_000))
    assert bites_at(fits) == count(fits.summary["max_users"]) and fits.summary["max_users"] > 100_000
