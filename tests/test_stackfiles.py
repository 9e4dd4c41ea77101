"""Your own stack: the JSON Schema, capkit stack show / check, and docs/stack-files.md.

The worked example in the docs is taken from the page itself and run through the CLI, the
planner and a report; the component reference in the page must equal the generated one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

import capkit
from capkit.cli import main
from capkit.stack import preset_names, presets_dir
from capkit.stackfiles import component_reference, stack_schema

DOC = Path(__file__).resolve().parent.parent / "docs" / "stack-files.md"


def doc_example() -> str:
    """The first YAML block of docs/stack-files.md: the worked example."""
    return re.search(r"```yaml\n(.*?)```", DOC.read_text(), re.S).group(1)


@pytest.fixture
def example(tmp_path) -> Path:
    path = tmp_path / "quiz-api.yaml"
    path.write_text(doc_example())
    return path


def validator():
    return jsonschema.Draft202012Validator(stack_schema())


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_is_valid_against_the_schema(name):
    validator().validate(yaml.safe_load((presets_dir() / f"{name}.yaml").read_text()))


def test_the_schema_checks_params_by_component_type(example):
    raw = yaml.safe_load(example.read_text())
    validator().validate(raw)
    bad_type = {**raw, "components": [{"id": "x", "type": "no_such_type"}]}
    bad_param = {**raw, "components": [{"id": "api", "type": "render_web", "params": {"plans": "starter"}}]}
    no_source = json.loads(json.dumps(raw))
    no_source["components"][2]["params"]["price_usd_per_unit"] = {"value": 0.01}
    bad_default = {**raw, "defaults": {"duration_ms": {"value": 1, "source": "x"}}}
    for bad in (bad_type, bad_param, no_source, bad_default):
        assert list(validator().iter_errors(bad)), bad
        with pytest.raises(capkit.CapkitError):  # and load_stack refuses the same files
            capkit.stack.build_stack(bad, Path("bad.yaml"))


def test_cli_schema_writes_the_schema(tmp_path, capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == stack_schema()
    out = tmp_path / "s.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["title"] == "capkit stack file"


def test_the_docs_component_reference_is_generated():
    text = DOC.read_text()
    start, end = "<!-- component reference: start -->\n", "<!-- component reference: end -->"
    assert text[text.index(start) + len(start) : text.index(end)] == component_reference()
    for type_name in capkit.stack.REGISTRY:
        assert f"### `{type_name}`" in text


def test_stack_show_is_the_preset_with_a_header(capsys):
    assert main(["stack", "show", "render-postgres"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Your own stack")
    assert yaml.safe_load(out) == yaml.safe_load((presets_dir() / "render-postgres.yaml").read_text())
    assert main(["stack", "show", "nope"]) == 2


def test_stack_check_lists_every_assumption(example, capsys):
    assert main(["stack", "check", str(example)]) == 0
    out = capsys.readouterr().out
    assert "ok:" in out and "sms (metered)" in out
    # universal fields, then the file's own, each with unit and range
    assert re.search(r"sms_per_mau\s+0.08\s+SMS/MAU/month\s+0 to 100\s+0.05 to 0.15", out)
    assert re.search(r"users\s+5,000\s+daily active users", out)  # numbers with thousands separators
    broken = example.with_name("broken.yaml")
    broken.write_text(doc_example().replace("driver: active_user", "driver: weekly"))
    assert main(["stack", "check", str(broken)]) == 2
    assert "params.driver" in capsys.readouterr().err


@pytest.mark.slow
def test_the_docs_example_evaluates_in_cli_planner_and_report(example, tmp_path, capsys):
    s = capkit.load_stack(example)
    plan = capkit.evaluate(s, s.workload(users=20_000, dau_mau=0.5, days_per_month=30))
    # The metered SMS: 20,000 DAU / 0.5 = 40,000 MAU x 0.08 = 3,200 SMS a month, 106.7 a day;
    # Firebase's 10 free a day: (106.67 - 10) x 30 = 2,900 SMS x $0.01 = $29.00.
    sms = plan.cost[(plan.cost["component"] == "sms")]["cost_usd"].sum()
    assert sms == pytest.approx(29.00)

    assert main(["plan", "--stack", str(example), "--set", "users=20000"]) == 0
    assert "sms" in capsys.readouterr().out

    from capkit.app import Planner
    from capkit.tables import money

    planner = Planner(str(example))
    expected = money(capkit.right_size(s).summary["monthly_cost_usd"])  # the faces answer right-sized
    assert f'capkit-monthly-cost">{expected}<' in planner.headline.value

    from capkit.report import ReportParams, write_report

    files = write_report(ReportParams(str(example)), tmp_path)
    html = files.html.read_text()
    assert f'capkit-monthly-cost">{expected}<' in html
    assert "firebase.auth.sms_usd" in html  # the metered price's source is listed
