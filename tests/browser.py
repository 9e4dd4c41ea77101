"""Helpers for the browser tests and benchmarks: serve the app, drive headless chromium offline."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout_s: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}: {log.read_text() if log else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout_s} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started in its own session, with every process it started (kernels)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def serve(
    cmd: list[str], port: int, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run a server command in its own session until it listens on ``port``; stop it afterwards.

    Its output goes to a file (``proc.log``), not a pipe: a pipe nobody reads fills up after
    64 KB of log lines and then blocks the server (many sessions log that much).
    """
    with tempfile.TemporaryDirectory(prefix="capkit-server-") as tmp:
        log = Path(tmp) / "server.log"
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log = log  # type: ignore[attr-defined]
        try:
            wait_for_port(port, 90, proc, log)
            yield f"http://127.0.0.1:{port}/", proc
        finally:
            stop(proc)


@contextmanager
def serve_app(*extra: str, cwd: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``capkit app`` on a free loopback port (serving ``cwd``), stopped (with its kernels) afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "capkit.cli", "app", "--port", str(port), "--no-browser", *extra]
    with serve(cmd, port, cwd=cwd) as s:
        yield s


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about", "file") or parsed.hostname in LOCAL_HOSTS


@contextmanager
def offline_page(playwright) -> Iterator[tuple[object, list[str], list[str]]]:
    """A chromium page whose requests outside 127.0.0.1 are recorded and aborted.

    Yields (page, external_requests, console_errors).
    """
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    external: list[str] = []
    errors: list[str] = []

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page, external, errors
    finally:
        context.close()
        browser.close()


def set_slider(page, css: str, value: str) -> None:
    """Type a value into an ipywidgets slider's editable readout and commit it."""
    readout = page.locator(f"{css} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


@contextmanager
def serve_lab(notebooks: Path) -> Iterator[str]:
    """``jupyter lab`` on a free loopback port (no token), stopped afterwards."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        str(notebooks),
    ]
    with serve(cmd, port) as (url, _proc):
        yield url
