"""The wheel carries the pricing data and the presets: capkit works outside the checkout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.catalog
def test_wheel_works_outside_the_checkout(tmp_path):
    dist, target, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)], check=True)
    wheel = next(dist.glob("capkit-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import capkit, capkit.pricing as p; "
        f"assert capkit.__file__.startswith({str(target)!r}), capkit.__file__; "
        f"assert str(p.data_dir()).startswith({str(target)!r}), p.data_dir(); "
        "import capkit.serve as a; "
        f"assert str(a.notebook_path()).startswith({str(target)!r}) and a.notebook_path().is_file(); "
        "assert (a.jupyter_share_dir() / 'voila/templates/capkit/index.html.j2').is_file(); "
        "assert (a.jupyter_share_dir() / 'nbconvert/templates/capkit-offline/index.html.j2').is_file(); "
        "assert a.notebook_path('case-studies/004-sltr.ipynb').is_file(); "
        "from capkit.casestudy import load_case_study as c; assert c('004-sltr').path.is_file(); "
        "from capkit.bills import mapping; assert mapping().aws; "
        "from capkit.calibrate import example_bill; b, u = example_bill(); "
        f"assert b[0].startswith({str(target)!r}) and open(b[0]).read(100); "
        "s = capkit.load_stack('aws-serverless'); print(capkit.evaluate(s).summary['monthly_cost_usd'])"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) > 0
    r = subprocess.run(
        [sys.executable, "-m", "capkit.cli", "pricing"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert r.returncode == 0 and "aws.lambda" in r.stdout
