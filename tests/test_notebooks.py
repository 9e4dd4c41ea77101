"""The committed notebooks: a parameters cell with units, short cells, no outputs or widget state."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # Only cells pinned for nbval (NBVAL_CHECK_OUTPUT) keep their expected output.
    unpinned = [c for c in code if "NBVAL_CHECK_OUTPUT" not in "".join(c["source"])]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in unpinned), "strip outputs"
    assert "widgets" not in nb.get("metadata", {}), "widget state saved in metadata"
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and params[0] is code[0], "the first code cell is the only 'parameters' cell"
    assignments = [
        line for line in "".join(params[0]["source"]).splitlines() if "=" in line and not line.startswith("#")
    ]
    assert assignments and all("#" in line for line in assignments), "every parameter has a comment with its unit"
    assert all(len("".join(c["source"]).splitlines()) <= 25 for c in code), "cells stay short; logic lives in capkit"


def test_both_apps_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"planner.ipynb", "compare.ipynb", "report.ipynb"}


def test_one_case_study_notebook_per_case_study_file():
    from capkit.casestudy import case_study_names

    assert sorted(p.stem for p in NOTEBOOKS if p.parent.name == "case-studies") == case_study_names()
