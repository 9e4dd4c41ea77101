"""The pricing catalog: every entry sourced and dated; malformed files name file and entry."""

import datetime as dt
import math
import re

import pytest
import yaml

import capkit
from capkit.pricing import PRICING_DIR_VARIABLE, data_dir, load_catalog
from tests.conftest import FIXTURE_PRICING


@pytest.mark.catalog
def test_every_entry_has_source_date_and_confidence():
    cat = capkit.default_catalog()
    assert len(cat) > 200
    for key in cat:
        e = cat.entry(key)
        assert str(e.source).startswith("https://"), key
        assert dt.date(2020, 1, 1) <= e.as_of <= dt.date.today(), key
        assert e.confidence in ("high", "medium", "low"), key
        assert e.unit.strip(), key


@pytest.mark.catalog
@pytest.mark.parametrize("name", capkit.preset_names())
def test_every_preset_prices_from_the_real_catalog(name):
    """Each preset builds on the bundled catalog, right-sized and as written, at 1K to 1M users,
    with every figure finite (a refreshed price that broke a preset would fail here)."""
    cat = capkit.default_catalog()
    stack = capkit.load_stack(name)
    keys = stack.price_keys()
    assert keys and all(k in cat for k in keys)
    assert str(data_dir()).endswith("pricing") and "fixtures" not in str(data_dir())
    for users in (1_000, 100_000, 1_000_000):
        wl = stack.workload(users=users)
        for plan in (capkit.evaluate(stack, wl), capkit.right_size(stack, wl)):
            assert math.isfinite(plan.summary["monthly_cost_usd"]) and plan.summary["monthly_cost_usd"] > 0


def test_tests_run_on_the_fixture_catalog():
    assert data_dir() == FIXTURE_PRICING


def test_a_pricing_folder_that_is_not_there_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv(PRICING_DIR_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(capkit.PricingDataError, match=r"CAPKIT_PRICING_DIR=.*nowhere: not a folder"):
        data_dir()


def write(tmp_path, entries):
    (tmp_path / "x.yaml").write_text(yaml.safe_dump({"provider": "x", "title": "X", "entries": entries}))
    return tmp_path


GOOD = {"value": 1.0, "unit": "USD", "source": "https://example.com/p", "as_of": "2026-01-01", "confidence": "high"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": None}, "source"),
        ({"source": "not a url"}, "source"),
        ({"as_of": "someday"}, "as_of"),
        ({"confidence": "sure"}, "confidence"),
        ({"value": "cheap"}, "value"),
        ({"value": float("nan")}, "value"),
    ],
)
def test_malformed_entry_names_file_and_entry(tmp_path, change, message):
    entry = {**GOOD, **change}
    if change.get("source", "") is None:
        del entry["source"]
    with pytest.raises(capkit.PricingDataError, match=rf"x\.yaml: entry a\.b: {message}"):
        load_catalog(write(tmp_path, {"a.b": entry}))


def test_not_yaml(tmp_path):
    (tmp_path / "bad.yaml").write_text("entries: [unclosed")
    with pytest.raises(capkit.PricingDataError, match="bad.yaml: not valid YAML"):
        load_catalog(tmp_path)


def test_stale_entries_are_flagged(tmp_path):
    cat = load_catalog(write(tmp_path, {"a.b": GOOD}))
    assert not cat.is_stale("x.a.b", dt.date(2026, 6, 1))
    assert cat.is_stale("x.a.b", dt.date(2027, 6, 1))


@pytest.mark.catalog
def test_data_dir_is_the_checkout_or_the_wheel():
    assert (data_dir() / "aws.yaml").is_file()


#: Words that tell how a value was looked up rather than what is known of it.
LOOKUP_WORDS = re.compile(r"\b(search\w*|corpus|corpora|stored|look(ed|ing)? up|lookup|found|captur\w*)\b", re.I)


@pytest.mark.catalog
def test_notes_say_what_is_known_of_a_price_not_how_it_was_looked_up():
    """A note is read by users in `capkit pricing`: it speaks of the provider's terms and of
    where a value comes from, never of the means by which someone looked for it."""
    cat = capkit.default_catalog()
    offending = [key for key in cat if LOOKUP_WORDS.search(cat.entry(key).note)]
    assert offending == []


def test_the_lookup_rule_catches_a_lookup_note():
    assert LOOKUP_WORDS.search("searched 2026-12-02 for render.com/pricing: not stored")
    assert LOOKUP_WORDS.search("found only Workspace's page")
    assert not LOOKUP_WORDS.search("unconfirmed since 2026-12-02: Render's pricing page could not be consulted")


@pytest.mark.catalog
def test_every_production_flag_is_0_or_1_and_unfit_says_why():
    """``<plan>.production`` marks a plan unfit for a paying product (0) and says why."""
    cat = capkit.default_catalog()
    flags = [key for key in cat if key.endswith(".production")]
    assert {"render.web.free.production", "render.postgres.free.production", "vercel.hobby.production"} <= set(flags)
    for key in flags:
        entry = cat.entry(key)
        assert entry.value in (0, 1), key
        assert entry.value == 1 or len(entry.note) > 20, key
