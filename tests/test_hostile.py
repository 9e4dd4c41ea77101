"""Hostile input and careless hands: one test per probe of issue 17, each reproducing the input
and asserting the safe outcome (no file content shown, no path outside the folder, no foreign
Host, bounded YAML, bounded kernels, one-line errors, files at the umask's mode)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import capkit
from capkit import cli
from capkit.errors import MAX_MESSAGE_CHARS, StackError
from capkit.files import write_atomically, write_folder
from capkit.scenario import Scenario
from capkit.stack import build_stack, load_stack
from tests.browser import offline_page, serve_app

SECRET = "postgres://admin:hunter2@db.internal/prod"
SECRETS_YAML = f"database_url: {SECRET}\napi_key: sk_live_0123456789abcdef\n"
#: 342 bytes that PyYAML composes into 9^9 (387 million) strings: "billion laughs".
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
PRICE = {"source": "https://sms.example.com/pricing", "as_of": "2026-11-01"}


def capkit_cli(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """capkit on ``args``: in this process (cli.main, output captured), or, given subprocess
    options (a ``preexec_fn`` that limits memory), in a fresh one."""
    if kwargs:
        return subprocess.run(
            [sys.executable, "-m", "capkit.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120, **kwargs
        )
    from capkit import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or Path.cwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(args))
        except SystemExit as stop:  # argparse's own errors exit 2 after one line
            status = stop.code
    return subprocess.CompletedProcess(["capkit", *args], status, out.getvalue(), err.getvalue())


def assert_one_line_error(r: subprocess.CompletedProcess, *expected: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    for text in expected:
        assert text in r.stderr, r.stderr


@pytest.fixture
def served(tmp_path):
    """A served folder with a secrets file, a symlink leading outside it, and a good stack."""
    folder = tmp_path / "served"
    (folder / "config").mkdir(parents=True)
    (folder / "config" / "secrets.yaml").write_text(SECRETS_YAML)
    outside = tmp_path / "outside.yaml"
    outside.write_text(
        (capkit.stack.presets_dir() / "render-postgres.yaml").read_text().replace("title:", "title: OUTSIDE")
    )
    (folder / "trick.yaml").symlink_to(outside)
    (folder / "notes.yaml").symlink_to(folder / "config" / "secrets.yaml")
    return folder


# --- 1. errors never echo file contents ------------------------------------------------------
def test_a_secrets_file_is_not_shown(served):
    with pytest.raises(StackError) as info:
        load_stack("config/secrets.yaml", root=served)
    message = str(info.value)
    assert "hunter2" not in message and "sk_live" not in message and "database_url" not in message
    # Named relative to the served folder, never by the server's absolute path.
    assert message.startswith("config/secrets.yaml: not a stack file") and str(served) not in message


def test_a_wrong_field_names_its_path_not_its_content(tmp_path):
    raw = {
        "name": "x",
        "title": "x",
        "components": [{"id": "t", "type": "aws_dynamodb", "params": {"tables": [{"name": "a", "item_kb": -1}]}}],
    }
    with pytest.raises(StackError, match=r"components\[0\] \(t\): params\.tables\[0\]\.item_kb: .*greater than 0"):
        build_stack(raw, tmp_path / "x.yaml")
    raw["components"][0]["params"]["tables"][0]["item_kb"] = 1
    raw["components"][0]["params"]["password"] = SECRET  # a key that is not allowed: its value stays out
    with pytest.raises(StackError, match=r"params\.password: not a field here; allowed: ") as info:
        build_stack(raw, tmp_path / "x.yaml")
    assert "hunter2" not in str(info.value)


def test_a_long_value_is_cut_and_every_error_is_bounded(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(f"name: {'X' * 5000}\ntitle: t\ncomponents: [{{id: s, type: sentry}}]\n")
    with pytest.raises(StackError) as info:
        load_stack(path)
    assert "X" * 78 + "\u2026" in str(info.value) and "X" * 80 not in str(info.value)  # 'XXX… cut at 80
    assert len(str(capkit.InputError("y" * 100_000 + "\n" + "z"))) == MAX_MESSAGE_CHARS


def test_multi_line_yaml_errors_are_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\n  title: [unclosed\n")
    r = capkit_cli("stack", "check", str(path))
    assert_one_line_error(r, "not valid YAML at line 2")


# --- 2. stack-file resolution ------------------------------------------------------------------
def test_a_symlink_leading_outside_the_folder_is_refused(served):
    with pytest.raises(capkit.InputError, match="is refused: the planner opens stack files under its folder only"):
        load_stack("trick.yaml", root=served)
    with pytest.raises(capkit.InputError, match="nor a .yaml or .yml file"):
        load_stack("trick", root=served)  # no suffix is added
    assert load_stack(str(served / "trick.yaml")).title.startswith("OUTSIDE")  # the CLI may read any path


def test_only_yaml_files_are_read(served):
    (served / "notes.txt").write_text("name: x\n")
    with pytest.raises(capkit.InputError, match="nor a .yaml or .yml file"):
        load_stack("notes.txt", root=served)
    (served / "pretend.yaml").symlink_to(served / "notes.txt")  # the final name counts
    with pytest.raises(capkit.InputError, match="nor a .yaml or .yml file"):
        load_stack("pretend.yaml", root=served)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a" * 300 + ".yaml", "no such file"),
        ("x\x00y.yaml", "printable"),
        ("../" * 2000 + "etc/passwd.yaml", "printable"),  # longer than any path
    ],
)
def test_odd_stack_names_get_one_line_errors(served, name, message):
    with pytest.raises(capkit.InputError, match=message):
        load_stack(name, root=served)


def test_odd_stack_files_get_one_line_errors(tmp_path):
    cases = {
        "deep.yaml": ("[" * 500 + "]" * 500, "nested deeper than 50 levels"),
        "latin1.yaml": (b"name: caf\xe9\n", "not UTF-8 text"),
        "recursive.yaml": ("a: &a [*a]\n", "recursive structure"),
        "big.yaml": ("# " + "x" * 1_100_000 + "\n", "at most 1,000,000 bytes"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        assert_one_line_error(capkit_cli("stack", "check", str(path)), message)


def test_the_planner_shows_odd_names_beside_the_picker(served):
    """Kernel side of the page: the text box's name is refused with its message, the page stays."""
    from capkit.app import Planner

    planner = Planner("aws-serverless", root=served)
    for name in ("a" * 300, "x\x00y.yaml", "config/secrets.yaml", "trick.yaml"):
        planner.set_stack(name)
        assert "capkit-error" in planner.stack_error.value and "hunter2" not in planner.stack_error.value
        assert planner.stack.name == "aws-serverless"
    assert planner.widget is not None


# --- 4. YAML limits --------------------------------------------------------------------------
def test_an_alias_bomb_is_refused_in_bounded_time_and_memory(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 520

    def limit_memory():  # 1 GB of address space: the bomb grew past 8 GB before
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    start = time.monotonic()
    r = capkit_cli("stack", "check", str(path), preexec_fn=limit_memory)
    assert_one_line_error(r, "expands to more than 100,000 values")
    assert time.monotonic() - start < 30


# --- 6. every CLI path: one line, exit 2 -----------------------------------------------------
@pytest.mark.slow
def test_cli_bad_numbers_and_files_are_one_line(tmp_path):
    assert_one_line_error(capkit_cli("simulate", "--stack", "aws-serverless", "--seed", "-1"), "--seed", "outside")
    binary = tmp_path / "actuals.csv"
    binary.write_bytes(b"date,users\n\x00\xff\xfe,1\n")
    r = capkit_cli("report", "--stack", "aws-serverless", "--actuals", str(binary), "--out", str(tmp_path))
    assert_one_line_error(r, "not UTF-8 text")
    assert_one_line_error(capkit_cli("plan", "--stack", "x\x01y.yaml"), "printable")


@pytest.mark.slow
def test_a_closed_pipe_is_one_line():
    proc = subprocess.Popen(
        [sys.executable, "-m", "capkit.cli", "sweep", "--stack", "aws-serverless", "--users", "100:1e7:20000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before capkit writes
    assert proc.wait(120) == 2
    err = proc.stderr.read().decode()
    assert "Traceback" not in err and err.count("\n") == 1 and "output was closed" in err


def test_report_out_unwritable_fails_before_papermill(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    start = time.monotonic()
    r = capkit_cli("report", "--stack", "aws-serverless", "--out", str(blocker / "reports"))
    assert_one_line_error(r, "--out", "cannot write there")
    assert time.monotonic() - start < 8  # a papermill run takes about 10 s


def test_terminal_escapes_in_a_title_are_written_out(tmp_path):
    path = tmp_path / "esc.yaml"
    text = (capkit.stack.presets_dir() / "render-postgres.yaml").read_text()
    path.write_text(re.sub(r"(?m)^title: .*$", r'title: "\\e[31mRED\\e[0m\\u202e"', text, count=1))
    r = capkit_cli("stack", "check", str(path))
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\u202e" not in r.stdout
    assert "\\x1b[31mRED" in r.stdout


# --- 7. unchecked parameters -----------------------------------------------------------------
def metered(**params) -> dict:
    return {"id": "sms", "type": "metered", "params": {"driver": "call", **params}}


@pytest.mark.parametrize(
    ("component", "message"),
    [
        (metered(units_per_driver=-1, price_usd_per_unit={"value": 0.01, **PRICE}), "greater than or equal to 0"),
        (metered(units_per_driver=float("nan"), price_usd_per_unit={"value": 0.01, **PRICE}), "finite number"),
        (metered(units_per_driver=float("inf"), price_usd_per_unit={"value": 0.01, **PRICE}), "finite number"),
        (
            {"id": "db", "type": "aws_dynamodb", "params": {"tables": [{"name": "t", "item_kb": float("nan")}]}},
            "finite number",
        ),
        ({"id": "db", "type": "aws_dynamodb", "params": {"tables": [{"name": "t", "item_kb": -4}]}}, "greater than 0"),
    ],
)
def test_negative_nan_and_infinite_parameters_are_refused(tmp_path, component, message):
    raw = {"name": "t", "title": "t", "components": [component]}
    with pytest.raises(StackError, match=message):
        build_stack(raw, tmp_path / "t.yaml")


def test_an_overflowing_price_names_its_line(tmp_path):
    raw = {"name": "t", "title": "t", "components": [metered(price_usd_per_unit={"value": 1e308, **PRICE})]}
    stack = build_stack(raw, tmp_path / "t.yaml")
    with pytest.raises(capkit.InputError, match="sms unit: cost is inf, not a finite amount"):
        capkit.evaluate(stack, stack.workload(users=1_000_000))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_are_written_at_the_umasks_mode(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "plan.json", "{}")
        folder = write_folder(tmp_path, "report", {"report.html": "<p>", "report.ipynb": "{}"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "plan.json").stat().st_mode) == mode
    assert stat.S_IMODE((folder / "report.html").stat().st_mode) == mode
    assert stat.S_IMODE(folder.resolve().stat().st_mode) == mode | (0o111 & ~umask)


def test_the_report_pair_is_swapped_whole(tmp_path, monkeypatch):
    """A reader sees the old pair or the new one: the two files are published by one rename."""
    folder = write_folder(tmp_path, "r", {"r.html": "v1", "r.ipynb": "v1"})
    calls = []

    def fails_on_the_second_file(path, text):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed between the two files
        write_atomically(path, text)

    monkeypatch.setattr(capkit.files, "write_atomically", fails_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        write_folder(tmp_path, "r", {"r.html": "v2", "r.ipynb": "v2"})
    assert (folder / "r.html").read_text() == (folder / "r.ipynb").read_text() == "v1"
    assert len([p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink()]) == 1  # no stray staging
    monkeypatch.undo()
    write_folder(tmp_path, "r", {"r.html": "v2", "r.ipynb": "v2"})
    assert (folder / "r.html").read_text() == (folder / "r.ipynb").read_text() == "v2"
    assert len([p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink()]) == 1  # v1 removed


# --- 8. link values --------------------------------------------------------------------------
def test_refused_link_values_are_said_at_once():
    from capkit.app import Planner

    planner = Planner("aws-serverless", query="duration_ms=-5&users=5000")
    assert planner.assumptions.selected_index is None  # the assumptions panel is closed
    assert "In the link:" in planner.status.value and "duration_ms" in planner.status.value
    assert planner.sliders["users"].value == 5000  # the rest of the link applies


# --- 3 and 5. the server: Host header, bounded sessions ---------------------------------------
def http_get(url: str, host: str | None = None, timeout: float = 120) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def kernel_count(server_pid: int) -> int:
    """Kernels the server runs: processes of its session running ipykernel."""
    r = subprocess.run(["ps", "-o", "sid=,args=", "-e"], capture_output=True, text=True)
    sid = os.getsid(server_pid)
    return sum(1 for line in r.stdout.splitlines() if line.split()[0] == str(sid) and "ipykernel" in line)


@pytest.mark.load
def test_foreign_hosts_are_refused_and_sessions_are_bounded(served):
    with serve_app("--max-sessions", "4", cwd=served) as (url, proc):
        port = url.rstrip("/").rsplit(":", 1)[1]
        # DNS rebinding: a foreign name pointing at 127.0.0.1. Page, kernel API and websocket are
        # refused for it, and not for the loopback name.
        kernel = "api/kernels/00000000-0000-0000-0000-000000000000"
        for path in (kernel, kernel + "/channels", ""):
            assert http_get(url + path, host=f"evil.example.com:{port}")[0] == 403, path
            if path:  # (the page itself, for loopback, is the 20 loads below)
                assert http_get(url + path, host=f"localhost:{port}")[0] != 403, path
        # 20 anonymous page loads at once: 4 get a planner, the rest are told to come back.
        with ThreadPoolExecutor(20) as pool:
            replies = list(pool.map(lambda _i: http_get(url, timeout=300), range(20)))
        served_pages = [body for status, body in replies if status == 200]
        busy = [body for status, body in replies if status == 503]
        assert len(served_pages) == 4 and len(busy) == 16, [s for s, _ in replies]
        assert all("busy, try again in a minute" in body for body in busy)
        time.sleep(3)  # the pre-heat pool refills
        assert kernel_count(proc.pid) <= 4 + 1  # the sessions and one pre-heated kernel
        assert http_get(url)[0] == 503


@pytest.mark.load
def test_allow_host_accepts_only_that_name(served):
    with serve_app("--allow-host", "planner.example.org", "--max-sessions", "1", cwd=served) as (url, _proc):
        assert http_get(url, host="evil.example.com")[0] == 403
        assert http_get(url, host="localhost")[0] == 403
        assert http_get(url, host="planner.example.org")[0] == 200


@pytest.mark.browser
def test_the_page_shows_neither_secrets_nor_outside_files(served):
    from playwright.sync_api import sync_playwright

    with serve_app(cwd=served) as (url, _proc), sync_playwright() as pw:
        for name, message in (
            ("config/secrets.yaml", "config/secrets.yaml: not a stack file"),
            ("trick.yaml", "is refused"),
        ):
            with offline_page(pw) as (page, external, _errors):
                page.goto(f"{url}?stack={name}", timeout=120_000)
                page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
                page.get_by_text(message).wait_for(timeout=30_000)
                text = page.inner_text("body")
                assert "hunter2" not in text and "sk_live" not in text and "OUTSIDE" not in text
                assert str(served) not in text
                assert external == []


# --- 5. culling: 2 idle minutes without a page, 10 with one -------------------------------------
@pytest.mark.parametrize(
    ("idle_s", "connections", "culled"),
    [(60, 0, False), (130, 0, True), (130, 1, False), (590, 2, False), (610, 1, True)],
)
def test_kernels_are_culled_sooner_without_a_page(idle_s, connections, culled):
    """BoundedKernelManager on Jupyter Server's culler, with the settings capkit app passes."""
    import asyncio
    import datetime as dt
    from types import SimpleNamespace

    from capkit.serve import CONNECTED_IDLE_S, UNATTACHED_IDLE_S
    from capkit.voila_server import BoundedKernelManager

    manager = BoundedKernelManager(cull_idle_timeout=UNATTACHED_IDLE_S, cull_connected=True)
    assert manager.connected_idle_timeout == CONNECTED_IDLE_S
    last = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=idle_s)
    manager._kernels["k"] = SimpleNamespace(
        execution_state="idle", kernel_name="python3", last_activity=last, kernel_spec=SimpleNamespace(metadata={})
    )
    manager._kernel_connections["k"] = connections
    shut = []

    async def shutdown_kernel(kernel_id, now=False, restart=False):
        shut.append(kernel_id)

    manager.shutdown_kernel = shutdown_kernel
    asyncio.run(manager.cull_kernel_if_idle("k"))
    assert shut == (["k"] if culled else [])


def test_the_session_count_admits_up_to_the_bound():
    from capkit.voila_server import BoundedKernelManager

    manager = BoundedKernelManager(max_sessions=2)
    assert [manager.admit() for _ in range(3)] == [True, True, False]
    manager.sessions_ended += 1  # one kernel shut down (culled): room for one more
    assert manager.admit() and not manager.admit()


# --- issue 23: bounded work, safe writes, honest fits ------------------------------------------
def _limited(seconds: int = 10, memory_bytes: int = 1 << 30):
    """A subprocess's limits: CPU seconds and address space (each probe below runs under them)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return apply


def bounded_cli(*args: str, memory_bytes: int = 1 << 30, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """capkit under 10 s (wall and CPU) and ``memory_bytes`` of address space."""
    return subprocess.run(
        [sys.executable, "-m", "capkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=10,
        preexec_fn=_limited(10, memory_bytes),
        cwd=cwd,
    )


@pytest.mark.slow
def test_a_hundred_thousand_server_counts_are_refused_at_once():
    started = time.monotonic()
    r = bounded_cli("queue", "--arrival-rate", "10", "--service-rate", "12", "--servers", "1:100000")
    assert_one_line_error(r, "100,000 server counts; at most 10,000")
    assert time.monotonic() - started < 10


def test_queue_tables_and_searches_are_linear():
    """The largest table allowed (10,000 counts) and the widest search (50,001 to 100,000
    servers, a wait no pool reaches) answer without a quadratic recursion: Erlang B is one
    closed-form step per pool, so both stay small numpy work."""
    from capkit.cli import queue_table
    from capkit.queueing import servers_for

    table = queue_table(10, 12, "1:10000")
    assert len(table) == 10_000 and table["p_wait"].iloc[-1] == 0
    # 90,000 erlangs and a mean wait of 1e-300: the search walks tens of thousands of counts.
    try:
        assert 90_000 < servers_for(90_000, 1, max_wait=1e-300) <= 100_000
    except capkit.CapkitError as exc:
        assert "no pool of up to 100,000 servers" in str(exc)


@pytest.mark.slow
@pytest.mark.parametrize("flag", ["--bill", "--users"])
def test_a_device_is_no_bill_and_is_refused_before_reading(tmp_path, flag):
    bill = capkit.pricing.data_path("examples") / "aws-serverless-cur.csv"
    users = capkit.pricing.data_path("examples") / "aws-serverless-users.csv"
    paths = {"--bill": str(bill), "--users": str(users), flag: "/dev/zero"}
    r = bounded_cli(
        "calibrate",
        "--stack",
        "aws-serverless",
        "--bill",
        paths["--bill"],
        "--users",
        paths["--users"],
    )
    assert_one_line_error(r, f"{flag} '/dev/zero': not a regular file")


def test_csv_inputs_are_bounded_in_bytes_and_rows(tmp_path):
    from capkit.csvfile import read_table

    rows = tmp_path / "rows.csv"
    rows.write_text("date,users\n" + "2026-01-01,5\n" * 11)
    with pytest.raises(capkit.CapkitError, match="over 10 rows"):
        read_table(rows, "--users", "a CSV", max_rows=10)
    with pytest.raises(capkit.CapkitError, match="at most 0 MB are read"):
        read_table(rows, "--users", "a CSV", max_bytes=100)


def test_a_row_wider_than_its_header_is_named(tmp_path):
    from capkit.growth import read_actuals

    wide = tmp_path / "wide.csv"
    wide.write_text("date,users\n2026-01-01,5,7,8\n2026-01-02,6\n")
    with pytest.raises(capkit.CapkitError, match=r"row 2 has 4 fields, the header 2 \(date, users\)"):
        read_actuals(wide)


def test_a_date_given_twice_with_different_users_is_refused(tmp_path):
    from capkit.growth import read_actuals

    twice = tmp_path / "twice.csv"
    twice.write_text("date,users\n2026-01-01,5\n2026-01-01,9\n2026-01-02,6\n")
    with pytest.raises(capkit.CapkitError, match="2026-01-01 is given twice with different users"):
        read_actuals(twice)
    same = tmp_path / "same.csv"
    same.write_text("date,users\n2026-01-01,5\n2026-01-01,5\n2026-01-02,6\n")
    assert len(read_actuals(same)) == 2


def test_one_row_of_users_is_refused_in_the_users_words(tmp_path):
    from capkit.bills import users_by_month

    one = tmp_path / "one.csv"
    one.write_text("date,users\n2026-01-15,5\n")
    assert users_by_month(one, ["2026-01"]) == {"2026-01": 5.0}
    empty = tmp_path / "empty.csv"
    empty.write_text("date,users\n")
    with pytest.raises(capkit.InputError, match=r"^users file .*: needs at least 1 row") as caught:
        users_by_month(empty, ["2026-01"])
    assert caught.value.what == "users" and caught.value.name == str(empty)
    # The CLI names the file by its flag: calibrate's --users, not the report's --actuals.
    assert cli.error_text(caught.value, wrap=False).startswith(f"capkit: error: --users {empty}: needs at least 1 row")


@pytest.mark.parametrize("kind", ["folder", "fifo", "symlink", "proc", "empty", "long"])
def test_out_is_checked_before_any_work_and_only_files_are_replaced(tmp_path, kind):
    from capkit.files import check_out_file

    target = tmp_path / "x.yaml"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        target.symlink_to("/proc/self/fd/1")
    elif kind == "proc":
        target = Path("/proc/self/x.yaml")
    elif kind == "empty":
        target = Path("")
    else:
        target = tmp_path / ("a" * 300 + ".yaml")
    before = os.lstat(target) if kind in ("folder", "fifo", "symlink") else None
    with pytest.raises(capkit.InputError, match="^output") as caught:
        check_out_file(target if kind != "empty" else "")
    assert caught.value.what == "out" and cli.error_text(caught.value, wrap=False).startswith("capkit: error: --out")
    with pytest.raises((capkit.CapkitError, OSError)):
        write_atomically(target, "x: 1\n")
    if before is not None:  # the folder, FIFO or link is still what it was
        after = os.lstat(target)
        assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino)


@pytest.mark.slow
def test_calibrate_refuses_a_fifo_out_before_reading_the_bill(tmp_path):
    fifo = tmp_path / "out.yaml"
    os.mkfifo(fifo)
    r = bounded_cli(
        "calibrate",
        "--stack",
        "aws-serverless",
        "--bill",
        "/nonexistent.csv",
        "--users",
        "/nonexistent.csv",
        "--out",
        str(fifo),
    )
    assert_one_line_error(r, ": a device or FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_leftovers_of_an_interrupted_write_are_removed_by_the_next(tmp_path):
    old = time.time() - 3600
    stale = tmp_path / ".my.yaml.abc123.tmp"
    stale.write_text("half")
    os.utime(stale, (old, old))
    young = tmp_path / ".my.yaml.def456.tmp"  # a write that may still be running
    young.write_text("half")
    write_atomically(tmp_path / "my.yaml", "x: 1\n")
    assert not stale.exists() and young.exists() and (tmp_path / "my.yaml").read_text() == "x: 1\n"
    staged = tmp_path / ".report.xyz"
    staged.mkdir()
    (staged / "a.html").write_text("half")
    link = tmp_path / ".report.xyz.link"
    link.symlink_to(staged.name)
    for p in (staged, link):
        os.utime(p, (old, old), follow_symlinks=False)
    write_folder(tmp_path, "report", {"a.html": "<p>whole</p>"})
    assert not staged.exists() and not link.is_symlink()
    assert (tmp_path / "report" / "a.html").read_text() == "<p>whole</p>"


def test_a_file_name_cannot_add_a_line_to_the_calibrated_file():
    from capkit.errors import one_line

    assert one_line("bill\nname: evil.csv") == "bill\\nname: evil.csv"
    assert "\n" not in one_line("a\r\n\x1b[31mb")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("plain", "plain"),
        (7, 7),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text(cell, written):
    from capkit.export import spreadsheet_cell

    assert spreadsheet_cell(cell) == written


def test_a_stack_csv_with_a_formula_unit_is_neutralised(tmp_path):
    from capkit.export import plan_csv

    raw = load_stack("render-postgres").spec.model_dump()
    raw["components"].append(
        {
            "id": "sms",
            "type": "metered",
            "params": {
                "unit": '=HYPERLINK("http://evil")',
                "driver": "active_user",
                "units_per_driver": 1,
                "price_usd_per_unit": {
                    "value": 0.01,
                    "source": "https://sms.example.com",
                    "as_of": "2026-11-01",
                    "confidence": "low",
                },
            },
        }
    )
    stack = build_stack(raw, tmp_path / "s.yaml")
    text = plan_csv(capkit.evaluate(stack, stack.workload(users=100)))
    assert "=HYPERLINK" in text and ",=HYPERLINK" not in text and "'=HYPERLINK" in text


def test_an_unknown_client_is_refused_when_the_stack_loads(tmp_path):
    raw = load_stack("render-postgres").spec.model_dump()
    raw["components"][1]["params"]["clients"] = ["web"]
    with pytest.raises(StackError, match="clients: no component 'web' in the stack; it has render_web"):
        build_stack(raw, tmp_path / "s.yaml")


def test_blank_currency_is_refused(tmp_path):
    from capkit.bills import read_bill

    bill = capkit.pricing.data_path("examples") / "aws-serverless-cur.csv"
    lines = bill.read_text().splitlines()
    header = lines[0].split(",")
    col = next(i for i, h in enumerate(header) if "Currency" in h)
    row = lines[1].split(",")
    row[col] = ""
    blank = tmp_path / "blank.csv"
    blank.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    with pytest.raises(capkit.CapkitError, match="row 2: currency '' is not allowed: every line must say USD"):
        read_bill(blank)


def test_a_fit_on_the_edge_of_its_range_is_not_called_fitted(tmp_path):
    """A bill whose Lambda requests are 1e6 times the model's asks for calls per user far past
    the declared range: the value ends on its bound, is reported so, and the CLI refuses it
    unless --allow-bound."""
    from capkit.calibrate import calibrate
    from capkit.cli import calibrate_formatted

    examples = capkit.pricing.data_path("examples")
    lines = (examples / "aws-serverless-cur.csv").read_text().splitlines()
    header = lines[0].split(",")
    qty = header.index("lineItem/UsageAmount")
    usage = header.index("lineItem/UsageType")
    out = [lines[0]]
    for line in lines[1:]:
        row = line.split(",")
        if row[usage].endswith("Request"):
            row[qty] = f"{float(row[qty]) * 1e6:.6g}"
        out.append(",".join(row))
    bill = tmp_path / "huge.csv"
    bill.write_text("\n".join(out) + "\n")
    users = examples / "aws-serverless-users.csv"
    result = calibrate("aws-serverless", [bill], users)
    assert result.at_bound
    statuses = dict(zip(result.assumptions["assumption"], result.assumptions["status"], strict=True))
    assert all(statuses[k].startswith("at its bound") for k in result.at_bound)
    with pytest.raises(capkit.CapkitError, match="--allow-bound"):
        calibrate_formatted("aws-serverless", [str(bill)], str(users))
    assert "at its bound" in calibrate_formatted("aws-serverless", [str(bill)], str(users), allow_bound=True)


@pytest.mark.parametrize("name", ["users", "price_usd"])
def test_only_assumptions_a_bill_informs_can_be_fitted(name):
    from capkit.calibrate import calibrate

    examples = capkit.pricing.data_path("examples")
    with pytest.raises(capkit.InputError, match=f"^fit {name}: a business input"):
        calibrate(
            "aws-serverless", [examples / "aws-serverless-cur.csv"], examples / "aws-serverless-users.csv", fit=[name]
        )


def test_sweeps_and_draws_are_bounded_before_any_memory_is_taken():
    from capkit.analysis.uncertainty import simulate
    from capkit.cli import sweep_levels

    with pytest.raises(capkit.CapkitError, match="N = 10,000,000 levels; from 1 to 1,000,000"):
        sweep_levels("100:1000:10000000")
    s = load_stack("render-postgres")
    with pytest.raises(capkit.CapkitError, match="so at most 1,278 levels a sweep"):
        Scenario(s, s.workload()).sweep(np.geomspace(100, 1e6, 2_000))
    with pytest.raises(capkit.CapkitError, match="draws = 10,000,000 is not allowed: from 1 to 1,000,000"):
        simulate(s, s.workload(), 10_000_000)


def test_the_page_may_not_shut_its_kernel_down():
    """Voila lets a page send shutdown_request (it restarts the kernel empty); capkit's kernel
    manager takes it out of Jupyter Server's allowed_message_types, as execute_request is."""
    from capkit.voila_server import BoundedKernelManager

    voila_allows = [
        "comm_open",
        "comm_close",
        "comm_msg",
        "comm_info_request",
        "kernel_info_request",
        "shutdown_request",
    ]
    manager = BoundedKernelManager(allowed_message_types=voila_allows)
    assert "shutdown_request" not in manager.allowed_message_types
    assert "execute_request" not in manager.allowed_message_types and "comm_msg" in manager.allowed_message_types


def test_sessions_are_bounded_by_each_notebooks_declared_memory():
    from capkit.serve import default_max_sessions, kernel_mb, notebook_path

    assert kernel_mb(notebook_path("analysis.ipynb")) == 300 > kernel_mb(notebook_path("planner.ipynb")) == 150
    assert default_max_sessions(300) * 300 <= 0.75 * capkit.serve.available_memory_mb()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("[::1]", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts_keep_the_host_check(host, loopback):
    from capkit.serve import is_loopback, voila_command

    assert is_loopback(host) is loopback
    cmd = voila_command(Path("planner.ipynb"), 8866, host)
    assert f"--CapkitVoila.allow_remote_access={not loopback}" in cmd


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "status", "said"), [("SIGINT", 130, "stopped (Ctrl+C)"), ("SIGTERM", 143, "stopped (SIGTERM)")]
)
def test_a_signal_stops_a_command_quietly(sig, status, said):
    import signal

    p = subprocess.Popen(
        [sys.executable, "-m", "capkit.cli", "sweep", "--stack", "render-postgres", "--users", "100:1000000:1200"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    p.send_signal(getattr(signal, sig))
    err = p.communicate(timeout=10)[1]
    assert p.returncode == status and said in err and "Traceback" not in err


@pytest.mark.slow
def test_numerical_warnings_stay_off_the_terminal():
    r = bounded_cli("queue", "--arrival-rate", "0", "--service-rate", "1", "--servers", "1:3")
    assert r.returncode == 0 and r.stderr == ""


def test_validation_messages_name_no_pydantic_class(tmp_path):
    raw = {
        "name": "own",
        "title": "own",
        "assumptions": {"n": {"default": 1, "unit": "SMS", "min": 0, "max": 10, "meaning": "m", "source": "s"}},
        "components": [
            {
                "id": "sms",
                "type": "metered",
                "params": {"unit": "SMS", "driver": "active_user", "units_per_driver": "n", "price_usd_per_unit": 5},
            }
        ],
    }
    with pytest.raises(StackError) as caught:
        build_stack(raw, tmp_path / "s.yaml")
    message = str(caught.value)
    assert "OwnPrice" not in message and "params.price_usd_per_unit: should be a mapping with value, source" in message


def test_a_large_stack_without_aliases_is_not_blamed_on_aliases(tmp_path):
    from capkit.yamlfile import read_yaml

    many = tmp_path / "many.yaml"
    many.write_text("".join(f"k{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" for i in range(11_000)))
    with pytest.raises(StackError) as caught:
        read_yaml(many, "many.yaml", StackError)
    assert "aliases" not in str(caught.value) and "holds more than 100,000 values" in str(caught.value)
