"""The README's case-study lines quote capkit's computed figures: they must still be true."""

from __future__ import annotations

from pathlib import Path

import pytest

from capkit.casestudy import fmt, load_case_study

#: The README quotes figures computed from the bundled prices: this checks the real catalog.
pytestmark = pytest.mark.catalog

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()

#: For each case study, the figures its README line quotes (capkit's value and the document's).
QUOTED = {
    "000-screen-time-capacity": ["lambda_users", "lambda_1m", "total_1m"],
    "001-screen-time-database": ["writes_10k", "storage_10k", "requests_10k"],
    "002-jeevibe": ["auth_100k", "firestore_100k", "capacity"],
    "003-django-shop": ["total", "email", "capacity"],
    "004-sltr": ["total", "margin"],
}


def readme_entry(name: str) -> str:
    start = README.index(f"(notebooks/case-studies/{name}.ipynb)")
    end = README.find("\n- [", start)
    return " ".join(README[start : end if end > 0 else README.index("\n\n", start)].split())


@pytest.mark.parametrize("name", sorted(QUOTED))
def test_readme_quotes_the_computed_figures(name):
    cs = load_case_study(name)
    entry = readme_entry(name)
    for fid in QUOTED[name]:
        f = cs.figure(fid)
        value = cs.values().iloc[-1][fid]
        for shown in (fmt(value, f.unit), fmt(f.value, f.unit).removesuffix(".00")):
            assert shown in entry, f"{name}: README should quote {shown} for {fid}: {entry}"


def test_the_readme_plan_example_is_what_the_cli_prints(capsys):
    """The README shows `capkit plan --stack render-postgres --set users=100000`: its first two
    lines must be the CLI's, and the planner's example figures the same."""
    from capkit import cli

    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=100000"]) == 0
    first, configuration = capsys.readouterr().out.splitlines()[:2]
    assert f"$ capkit plan --stack render-postgres --set users=100000\n{first}\n{configuration}\n" in README
    cost = first.split(": ")[1].split("/")[0]
    assert f"Cost to serve 100,000 users: {cost}/month, right-sized" in README
