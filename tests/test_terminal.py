"""capkit.terminal: tables and paragraphs within the terminal's width, and every README command
within 120 columns (80 for plan, compare and roadmap)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

import capkit
from capkit import cli, terminal

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def test_numbers_right_text_left_and_wrapped_at_words():
    """A 30-column table: the text column wraps 'read units per second' at word boundaries,
    the numbers stay whole and end on the same column."""
    frame = pd.DataFrame({"limit": ["DynamoDB read units per second", "Web CPU"], "demand": ["1,215", "17"]})
    lines = terminal.table(frame, columns=30).splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert lines[0].startswith("limit") and lines[0].endswith("demand")
    rows = [line for line in lines[2:] if line.strip()]
    assert rows[0].endswith("1,215") and rows[-1].endswith("17")
    assert len(rows[0]) == len(rows[-1])  # right-aligned: both numbers end at the table's edge
    words = " ".join(line[:20].strip() for line in rows[:-1]).split()
    assert words == "DynamoDB read units per second".split()  # no word cut in two


def test_a_table_too_wide_for_its_numbers_becomes_blocks():
    """Six ten-digit numbers need 6 x 10 + 5 x 3 = 75 columns; at 40 each row is a block."""
    frame = pd.DataFrame({"row": ["a"], **{f"n{i}": ["1,000,000,000"] for i in range(6)}})
    text = terminal.table(frame, columns=40)
    assert text.splitlines()[0] == "a"
    assert "  n0: 1,000,000,000" in text.splitlines()


def test_width_reads_columns_then_falls_back_to_120(monkeypatch):
    monkeypatch.setenv("COLUMNS", "87")
    assert terminal.width() == 87
    monkeypatch.delenv("COLUMNS")
    assert terminal.width() == terminal.PIPE_WIDTH == 120  # pytest's captured stdout is no terminal


def test_paragraph_wraps_with_a_hanging_indent():
    text = terminal.paragraph("one two three four five six", "- ", "  ", columns=12)
    assert text.splitlines() == ["- one two", "  three four", "  five six"]


def _readme_commands() -> list[str]:
    """The capkit commands in README's code blocks (continuations joined, comments and output
    redirections dropped, placeholders filled below), and those its text names in full."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    out = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.removeprefix("$ ").strip()
            if not line.startswith("capkit "):
                continue
            line = re.split(r"\s+#|\s+>", line)[0].strip()
            out.append(line)
    out += [m for m in re.findall(r"`(capkit roadmap [^`]*)`", text)]
    return out


#: README's placeholders and the files the examples stand for.
FILLED = {
    "cur.csv": str(EXAMPLES / "aws-serverless-cur.csv"),
    "users.csv": str(EXAMPLES / "aws-serverless-users.csv"),
}


def _runnable(tmp_path: Path) -> list[list[str]]:
    commands = []
    for line in _readme_commands():
        argv = shlex.split(line)[1:]
        if argv[0] in ("app", "report"):  # a server, and a papermill run that prints two paths
            continue
        if argv[0] == "pricing" and "[--low]" in line:
            commands += [["pricing"], ["pricing", "--low"], ["pricing", "--stale"]]
            continue
        argv = [FILLED.get(a, a) for a in argv]
        argv = [str(tmp_path / a) if a in ("my-stack.yaml", "my-app.yaml") else a for a in argv]
        commands.append(argv)
    return commands


def _machine_readable(argv: list[str]) -> bool:
    return any(a in ("json", "csv") for a in argv) or argv[0] in ("sweep", "schema", "export")


def test_every_readme_command_fits_120_columns(tmp_path, monkeypatch, capsys):
    """Each README command, run as written with COLUMNS=120: no line of its output is longer
    (CSV, JSON and YAML for other tools excepted), and each succeeds."""
    monkeypatch.setenv("COLUMNS", "120")
    commands = _runnable(tmp_path)
    verbs = {argv[0] for argv in commands}
    assert {"plan", "compare", "roadmap", "queue", "calibrate", "stack", "case", "pricing", "stacks"} <= verbs
    for argv in commands:
        if argv[:2] == ["stack", "check"]:  # README writes my-app.yaml with stack show first
            assert cli.main(["stack", "show", "render-firestore"]) == 0
            Path(argv[2]).write_text(capsys.readouterr().out, encoding="utf-8")
        status = cli.main(argv)
        out, err = capsys.readouterr()
        assert status == 0, (argv, err)
        if _machine_readable(argv):
            continue
        wide = [line for line in (out + err).splitlines() if len(line) > 120]
        assert not wide, (argv, wide[:3])


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "--stack", "aws-serverless", "--set", "users=100000"],
        ["plan", "--stack", "render-postgres", "--set", "users=100000", "--as-configured"],
        ["compare", "--stacks", "aws-serverless,render-postgres", "--set", "users=100000"],
        ["roadmap", "--stack", "render-postgres"],
    ],
)
def test_plan_compare_and_roadmap_fit_80_columns(argv, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    wide = [line for line in out.splitlines() if len(line) > 80]
    assert not wide, wide[:3]


def test_an_error_is_one_line_in_a_log_and_wrapped_in_a_terminal(monkeypatch, capsys):
    """The unknown-assumption error lists 25 allowed names (about 480 characters): one line
    to a pipe, so a log keeps one error a line; wrapped under itself for a person."""
    monkeypatch.setenv("COLUMNS", "120")
    assert cli.main(["plan", "--stack", "aws-serverless", "--set", "x=1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("capkit: error: unknown assumption 'x'") and len(err[0]) > 120
    wrapped = cli.error_text(capkit.InputError(err[0].removeprefix("capkit: error: ")), wrap=True).splitlines()
    assert len(wrapped) > 1 and all(len(line) <= 120 for line in wrapped)
    assert all(line.startswith("  ") for line in wrapped[1:])
