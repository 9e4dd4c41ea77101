"""The pricing catalog: every entry sourced and dated; malformed files name file and entry."""

import datetime as dt

import pytest
import yaml

import capkit
from capkit.pricing import data_dir, load_catalog


def test_every_entry_has_source_date_and_confidence():
    cat = capkit.default_catalog()
    assert len(cat) > 200
    for key in cat:
        e = cat.entry(key)
        assert str(e.source).startswith("https://"), key
        assert dt.date(2020, 1, 1) <= e.as_of <= dt.date.today(), key
        assert e.confidence in ("high", "medium", "low"), key
        assert e.unit.strip(), key


def test_every_preset_uses_only_catalog_prices(preset):
    cat = capkit.default_catalog()
    keys = preset.price_keys()
    assert keys and all(k in cat for k in keys)


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


def test_data_dir_is_the_checkout_or_the_wheel():
    assert (data_dir() / "aws.yaml").is_file()
