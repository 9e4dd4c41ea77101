"""The scheduled report: the workflow runs a capkit report command the CLI accepts."""

import re
import shlex
from pathlib import Path

import yaml

from capkit.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_weekly_workflow_runs_capkit_report_and_uploads_it():
    flow = yaml.safe_load((ROOT / ".github/workflows/capacity-report.yml").read_text())
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads the key 'on' as True
    assert re.fullmatch(r"\S+ \S+ \* \* \d", triggers["schedule"][0]["cron"])
    steps = flow["jobs"]["report"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    line = next(ln.strip() for ln in runs.splitlines() if ln.strip().startswith("capkit report"))
    args = build_parser().parse_args(shlex.split(line.replace("$actuals", ""))[1:])
    assert args.verb == "report" and args.stack and args.out == "reports/"
    assert any(
        s.get("uses", "").startswith("actions/upload-artifact") and s["with"]["path"] == "reports/" for s in steps
    )


def test_readme_has_a_crontab_line_the_cli_accepts():
    readme = (ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if re.match(r"^\d+ \d+ \* \* \d .*capkit report", ln))
    command = line.split("capkit report", 1)[1].split(">>")[0]
    args = build_parser().parse_args(["report", *shlex.split(command)])
    assert args.stack and args.out
