"""Binder: its requirements agree with pyproject.toml, and binder/ alone builds an environment
that runs the planner notebook (a fresh virtual environment, packages from the registry)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def requirements(lines: list[str]) -> dict[str, str]:
    reqs = [Requirement(ln) for ln in (x.strip() for x in lines) if ln and not ln.startswith("#")]
    return {r.name.lower(): str(r.specifier) for r in reqs}


def test_binder_requirements_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    binder = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert requirements(binder) == requirements(project)


def test_binder_opens_the_planner_in_voila_and_the_tour_in_lab():
    readme = (ROOT / "README.md").read_text()
    assert "urlpath=voila/render/notebooks/planner.ipynb" in readme
    assert "urlpath=lab/tree/notebooks/explore.ipynb" in readme
    assert "notebooks/explore.ipynb" in readme.split("## From Python")[1].split("##")[0]
    assert (ROOT / "voila.json").read_text().strip() == '{"VoilaConfiguration": {"template": "capkit"}}'


@pytest.mark.binder
def test_a_fresh_environment_from_binder_runs_the_planner(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(ROOT / "binder" / "requirements.txt")], check=True, timeout=1500)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        HOME=str(tmp_path / "home"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
    )
    subprocess.run(["bash", str(ROOT / "binder" / "postBuild")], cwd=ROOT, env=env, check=True, timeout=600)
    assert "mathjax_url" in (tmp_path / "jupyter-config" / "jupyter_server_config.json").read_text()
    where = subprocess.run(
        [str(py), "-c", "import capkit; print(capkit.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where
    import capkit
    from capkit.tables import money

    s = capkit.load_stack("render-postgres")
    cost = money(capkit.right_size(s, s.workload(users=50_000)).summary["monthly_cost_usd"])  # right-sized first
    for interactive, expected in (
        ("True", "application/vnd.jupyter.widget-view+json"),
        ("False", f'capkit-monthly-cost\\">{cost}<'),
    ):
        out = tmp_path / f"planner-{interactive}.ipynb"
        r = subprocess.run(
            [
                str(py),
                "-m",
                "papermill",
                str(ROOT / "notebooks" / "planner.ipynb"),
                str(out),
                "-p",
                "stack",
                "render-postgres",
                "-p",
                "users",
                "50000",
                "-p",
                "interactive",
                interactive,
                "-k",
                "python3",
                "--cwd",
                str(tmp_path),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        assert expected in out.read_text(), interactive
