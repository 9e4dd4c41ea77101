"""Stack files: presets load; malformed files name the file and the field."""

import pytest
import yaml

import capkit
from capkit import stackfiles

MINIMAL = {
    "name": "mine",
    "title": "My stack",
    "assumptions": {"error_rate": {"default": 0.001, "unit": "errors/call", "min": 0, "max": 1, "meaning": "m"}},
    "components": [{"id": "sentry", "type": "sentry", "params": {"plan": "team"}}],
}


def write(tmp_path, raw):
    path = tmp_path / "mine.yaml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw))
    return path


def test_presets_have_the_issue_component_ids():
    ids = {n: [c.id for c in capkit.load_stack(n).components] for n in capkit.preset_names()}
    assert ids == {
        "aws-serverless": ["lambda", "dynamodb", "s3", "amplify"],
        "render-firestore": ["render_web", "firestore", "firebase_auth", "firebase_storage", "batch_jobs"],
        "render-postgres": ["render_web", "postgres", "redis", "email", "sentry"],
        "vercel-supabase": ["vercel", "supabase", "upstash_redis", "sentry"],
    }


def test_every_assumption_says_where_it_comes_from(preset):
    for key, spec in preset.assumptions.items():
        assert spec.source.strip(), f"{preset.name}: {key} has no source"


def test_a_stack_file_by_path(tmp_path):
    s = capkit.load_stack(write(tmp_path, MINIMAL))
    assert s.name == "mine"
    assert capkit.evaluate(s, s.workload(users=1000)).summary["monthly_cost_usd"] == 26


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"components": [{"id": "x", "type": "warp_drive"}]},
            r"components\[0\] \(x\): type 'warp_drive' is not one of",
        ),
        ({"components": [{"id": "s", "type": "sentry", "params": {"plan": "gold"}}]}, "plan 'gold' is not one of"),
        (
            {"components": [{"id": "s", "type": "sentry", "params": {"colour": 1}}]},
            "params.colour: not a field here; allowed: plan",
        ),
        ({"assumptions": {}}, "needs assumption 'error_rate'"),
        ({"title": None}, "title"),
        (
            {"assumptions": {"error_rate": {"default": 5, "unit": "u", "min": 0, "max": 1, "meaning": "m"}}},
            "default 5.0 is outside",
        ),
        ({"defaults": {"users": {"value": -1, "source": "s"}}}, r"defaults.users: -1.0 is outside"),
    ],
)
def test_malformed_stack_names_file_and_field(tmp_path, change, message):
    raw = {**MINIMAL, **change}
    if change.get("title", "") is None:
        del raw["title"]
    with pytest.raises(capkit.StackError, match=message) as info:
        capkit.load_stack(write(tmp_path, raw))
    assert "mine.yaml" in str(info.value)


def test_not_yaml(tmp_path):
    with pytest.raises(capkit.StackError, match="mine.yaml: not valid YAML"):
        capkit.load_stack(write(tmp_path, "components: [unclosed"))


def test_unknown_stack():
    with pytest.raises(capkit.InputError, match="unknown stack 'nope': not a preset \\(aws-serverless"):
        capkit.load_stack("nope")


def test_every_component_reads_exactly_what_it_declares(preset):
    # Run on a workload that records each field read: nothing undeclared, nothing declared unread.
    wl = preset.workload()
    assert capkit.stack.undeclared_reads(preset) == []
    by_id = {c.id: c for c in preset.components}
    for comp in preset.components:
        declared = {*comp.requires, *comp.assumption_refs}
        # A database also reads, through its clients' connection counts, what they declare.
        through_clients = {k for cid in comp.client_ids() for k in by_id[cid].requires}
        reads = capkit.stack.component_reads(comp, wl)
        assert declared <= reads <= declared | through_clients, comp.id


def test_a_read_the_component_does_not_declare_is_reported(monkeypatch):
    # Firestore stops declaring deletes_per_call but still reads it: the check names it.
    from capkit.components.firebase import Firestore

    reads = {k: v for k, v in Firestore.requires.items() if k != "deletes_per_call"}
    monkeypatch.setattr(Firestore, "requires", reads)
    stack = capkit.load_stack("render-firestore")
    assert capkit.stack.undeclared_reads(stack) == [
        "component firestore (firestore) reads assumption 'deletes_per_call' without declaring it"
    ]
    with pytest.raises(capkit.StackError, match="reads assumption 'deletes_per_call' without declaring it"):
        stackfiles.check_text("render-firestore")


def test_a_stack_that_omits_a_read_is_refused_naming_it(tmp_path):
    raw = yaml.safe_load(stackfiles.show_text("aws-serverless"))
    del raw["assumptions"]["strong_read_share"]
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(capkit.StackError, match=r"\(dynamodb\): needs assumption 'strong_read_share'"):
        capkit.load_stack(str(path))


def test_stack_check_names_assumptions_no_component_reads(tmp_path):
    raw = yaml.safe_load(stackfiles.show_text("aws-serverless"))
    raw["assumptions"]["leftover"] = {"default": 1, "unit": "u", "min": 0, "max": 2, "meaning": "m", "source": "s"}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    text = stackfiles.check_text(str(path))
    assert "every assumption a component reads is declared" in text
    assert "not read by any component: leftover" in text
