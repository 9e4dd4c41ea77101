"""Many sessions on one ``capkit app``: the driver behind the load test and bench_load.py.

A session is either a real page in headless chromium, or a websocket client that does what
the page's widget manager does: it loads the page (Voila starts a kernel and runs the
notebook), connects to the kernel's channels, asks for the widget states, sets the users
slider's value and reads the headline figure from the kernel's reply. Twenty chromium pages
on this machine's two cores measure the browsers, which in use run on the visitors' machines;
websocket clients put the same load on the server, and real pages run alongside to show that
pages still render and answer under it.

Sessions arrive ``ramp_s`` apart; when all are open, every one sets its own users values at
once and checks that it gets the engine's figure for them (no cross-talk). Latency is from
sending the change to the updated headline: measured in the page for browsers
(performance.now() and a MutationObserver), at the client for websocket sessions.
Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import capkit
from capkit.tables import money
from tests.browser import CHROMIUM, CHROMIUM_ARGS, is_local

OBSERVE = """() => {
  window.__t1 = null;
  window.__last = document.querySelector('.capkit-monthly-cost').textContent;
  new MutationObserver(() => {
    const e = document.querySelector('.capkit-monthly-cost');
    if (e && e.textContent !== window.__last) { window.__last = e.textContent; window.__t1 = performance.now(); }
  }).observe(document.querySelector('.capkit-planner'), {subtree: true, childList: true, characterData: true});
}"""
HEADLINE = re.compile(r'capkit-monthly-cost">([^<]*)<')
TIMEOUT_S = 300  # any single wait; the tests cannot hang
PAGE_FETCHES = ThreadPoolExecutor(max_workers=64, thread_name_prefix="capkit-load-page")


def expected_cost(users: float, stack: str = "aws-serverless") -> str:
    """The planner's first answer: the engine's right-sized monthly cost."""
    s = capkit.load_stack(stack)
    return money(capkit.right_size(s, s.workload(users=users)).summary["monthly_cost_usd"])


def session_users(session_no: int, change: int) -> int:
    """Distinct users values per session and change, so that cross-talk would show."""
    return 1_000 + 7_919 * (session_no + 1) + 104_729 * change


@dataclass
class Run:
    """What one session saw."""

    session_no: int
    kind: str  # "browser" or "websocket"
    load_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)  # (expected, shown) per change
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    kernel_id: str = ""
    closing: bool = False  # leaving a Voila page logs its refused kernel shutdown (voila#1458): not counted


# --- browser pages ----------------------------------------------------------------------------
async def open_page(browser, url: str, run: Run):
    """A new context and page on the planner, with the request guard and console capture."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1800})

    async def guard(route):
        if is_local(route.request.url):
            await route.continue_()
        else:
            run.external.append(route.request.url)
            await route.abort()

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("console", lambda m: run.errors.append(m.text) if m.type == "error" and not run.closing else None)
    page.on("pageerror", lambda e: None if run.closing else run.errors.append(str(e)))
    t0 = time.perf_counter()
    await page.goto(url, timeout=TIMEOUT_S * 1000)
    try:
        await page.wait_for_selector(".capkit-monthly-cost", timeout=TIMEOUT_S * 1000)
    except Exception as exc:
        html = await page.content()
        view = "widget-view+json" in html
        raise AssertionError(
            f"page {run.session_no} never showed the planner (widget view in page: {view}, {len(html)} bytes); "
            f"console errors {run.errors}"
        ) from exc
    run.load_s = time.perf_counter() - t0
    config = await page.locator("#jupyter-config-data").text_content()
    run.kernel_id = json.loads(config).get("kernelId", "")
    return context, page


async def change_users(page, users: int) -> float:
    """Type ``users`` into the slider's box; return ms from the key press to the new headline."""
    await page.evaluate(OBSERVE)
    readout = page.locator(".capkit-users .widget-readout")
    await readout.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.type(str(users))
    t0 = await page.evaluate("performance.now()")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "(text) => document.querySelector('.capkit-monthly-cost').textContent.trim() === text",
        arg=expected_cost(users),
        timeout=TIMEOUT_S * 1000,
    )
    t1 = await page.evaluate("window.__t1")
    return (t1 - t0) if t1 is not None else float("nan")


# --- websocket sessions -----------------------------------------------------------------------
class WidgetSession:
    """A websocket client speaking the Jupyter widget protocol to one page's kernel."""

    def __init__(self, url: str, run: Run):
        self.url, self.run = url, run
        self.session = uuid.uuid4().hex
        self.ws = None
        self.states: dict[str, dict] = {}

    def _msg(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "username": "capkit-load",
            "session": self.session,
            "msg_type": msg_type,
            "version": "5.3",
            "date": dt.datetime.now(dt.UTC).isoformat(),
        }
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": metadata or {},
                "content": content,
                "channel": "shell",
                "buffers": [],
            }
        )

    async def _next(self) -> dict:
        raw = await asyncio.wait_for(self.ws.read_message(), TIMEOUT_S)
        if raw is None:
            raise ConnectionError(f"session {self.run.session_no}: the kernel's websocket closed")
        m = json.loads(raw)
        if m["msg_type"] == "error" or (m["msg_type"] == "stream" and m["content"].get("name") == "stderr"):
            text = m["content"].get("evalue") or m["content"].get("text", "")
            if "No such comm" not in text:  # a request sent before its comm was open: retried
                self.run.errors.append(text)
        return m

    async def open(self) -> None:
        from tornado.websocket import websocket_connect

        t0 = time.perf_counter()
        # Own threads: the default executor also resolves addresses for the websocket connects,
        # and page requests wait on the server for many seconds each.
        fetch = lambda: urllib.request.urlopen(self.url, timeout=TIMEOUT_S).read().decode()  # noqa: E731
        page = await asyncio.get_running_loop().run_in_executor(PAGE_FETCHES, fetch)
        config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)
        self.run.kernel_id = json.loads(config.group(1))["kernelId"]
        ws_url = self.url.replace("http://", "ws://") + f"api/kernels/{self.run.kernel_id}/channels"
        self.ws = await websocket_connect(ws_url, connect_timeout=TIMEOUT_S)
        comm_id = uuid.uuid4().hex
        opened = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
        await self.ws.write_message(self._msg("comm_open", opened, {"version": "1.0.0"}))
        request = self._msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        deadline = time.monotonic() + TIMEOUT_S
        while not self.states:
            await self.ws.write_message(request)
            try:
                while True:
                    m = await asyncio.wait_for(self._next(), 5)
                    data = m["content"].get("data", {}) if m["msg_type"] == "comm_msg" else {}
                    if data.get("method") == "update_states":
                        self.states = data["states"]
                        break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        self.slider = next(k for k, v in self.states.items() if v["state"].get("description") == "Users (DAU)")
        self.headline = next(k for k, v in self.states.items() if HEADLINE.search(str(v["state"].get("value", ""))))
        self.run.load_s = time.perf_counter() - t0

    async def set_users(self, users: int) -> tuple[float, str]:
        """Set the slider as the page would; return ms to the headline's update, and its figure."""
        update = {"method": "update", "state": {"value": users}, "buffer_paths": []}
        t0 = time.perf_counter()
        await self.ws.write_message(
            self._msg("comm_msg", {"comm_id": self.slider, "data": update}, {"version": "2.1.0"})
        )
        while True:
            m = await self._next()
            content = m["content"]
            if m["msg_type"] == "comm_msg" and content.get("comm_id") == self.headline:
                found = HEADLINE.search(content["data"].get("state", {}).get("value", ""))
                if found:
                    return (time.perf_counter() - t0) * 1000, found.group(1)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


# --- the run ----------------------------------------------------------------------------------
async def drive(url: str, websockets: int, pages: int, changes: int, ramp_s: float) -> list[Run]:
    """``websockets`` + ``pages`` sessions arriving ``ramp_s`` apart; then all change at once."""
    from playwright.async_api import async_playwright

    if pages and not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    kinds = ["websocket"] * websockets + ["browser"] * pages
    # Spread the browser pages through the ramp, so they open while the server is busy.
    order = sorted(range(len(kinds)), key=lambda i: (i * 7919) % len(kinds))
    runs = [Run(n, kinds[i]) for n, i in enumerate(order)]
    everyone_open = asyncio.Barrier(len(runs))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS) if pages else None

        async def one(run: Run) -> None:
            await asyncio.sleep(run.session_no * ramp_s)
            if run.kind == "browser":
                context, page = await open_page(browser, url, run)
            else:
                client = WidgetSession(url, run)
                await client.open()
            await everyone_open.wait()
            for change in range(changes):
                users = session_users(run.session_no, change)
                if run.kind == "browser":
                    run.latencies_ms.append(await change_users(page, users))
                    shown = (await page.locator(".capkit-monthly-cost").text_content()).strip()
                else:
                    latency, shown = await client.set_users(users)
                    run.latencies_ms.append(latency)
                run.shown.append((expected_cost(users), shown))
            run.closing = True
            if run.kind == "browser":
                await context.close()
            else:
                client.close()

        try:
            await asyncio.gather(*(one(r) for r in runs))
        finally:
            if browser is not None:
                await browser.close()
    return runs


def run_load(url: str, websockets: int = 20, pages: int = 3, changes: int = 3, ramp_s: float = 1.5) -> list[Run]:
    return asyncio.run(drive(url, websockets, pages, changes, ramp_s))


# --- processes ------------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def kernel_pids(server_pid: int) -> dict[str, int]:
    """Kernel id -> pid for the kernels under a server (their command line names kernel-<id>.json)."""
    out = {}
    for pid in descendants(server_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        for arg in cmd:
            name = os.path.basename(arg)
            if name.startswith("kernel-") and name.endswith(".json"):
                out[name.removeprefix("kernel-").removesuffix(".json")] = pid
    return out
