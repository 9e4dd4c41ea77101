"""The app under load and under faults: one ``capkit app``, many sessions, all on 127.0.0.1.

- 20 websocket sessions (the widget protocol, as a page speaks it) and 3 real pages at once,
  each moving its own users slider to its own values: each gets the engine's figure for its
  own inputs (no cross-talk) and none logs an error (see tests/load.py for why websockets).
- One page's kernel killed while the others are in use: the others keep answering, the killed
  page says its session has ended (reload), instead of going blank.

Every wait has a timeout, so the tests end; figures (latency, memory) are in
benchmarks/bench_load.py, not asserted here.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_app
from tests.load import Run, change_users, expected_cost, kernel_pids, open_page, run_load, session_users

pytestmark = [pytest.mark.browser, pytest.mark.load]


def test_twenty_sessions_at_once_each_see_their_own_figures():
    with serve_app() as (url, proc):
        runs = run_load(url, websockets=20, pages=3, changes=3)
        kernels = kernel_pids(proc.pid)
    assert len(runs) == 23 and sum(r.kind == "browser" for r in runs) == 3
    assert len({r.kernel_id for r in runs}) == 23 and {r.kernel_id for r in runs} <= set(kernels)  # a kernel each
    for run in runs:
        assert len(run.shown) == 3
        assert [shown for _exp, shown in run.shown] == [exp for exp, _shown in run.shown], (run.session_no, run.kind)
        assert run.errors == [], (run.session_no, run.kind, run.errors)
        assert run.external == [], (run.session_no, run.external)
    # Different sessions asked for different users, and saw different figures.
    assert len({run.shown[0][1] for run in runs}) == 23


def test_a_killed_kernel_leaves_the_other_pages_working_and_says_so():
    from playwright.async_api import async_playwright

    async def scenario(url: str, server_pid: int) -> None:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [Run(i, "browser") for i in range(3)]
            opened = [await open_page(browser, url, r) for r in runs]
            pages = [page for _context, page in opened]
            pids = kernel_pids(server_pid)
            assert all(r.kernel_id in pids for r in runs), (pids, [r.kernel_id for r in runs])
            os.kill(pids[runs[0].kernel_id], signal.SIGKILL)

            # The killed page: the next input finds no kernel, and the page says so.
            victim = pages[0]
            await victim.locator(".capkit-users .widget-readout").click()
            await victim.keyboard.press("Control+A")
            await victim.keyboard.type("123456")
            await victim.keyboard.press("Enter")
            banner = victim.locator(".capkit-session-ended")
            await banner.wait_for(state="visible", timeout=60_000)
            assert "Reload the page" in await banner.text_content()

            # The others keep working, with their own values.
            for i, page in enumerate(pages[1:], start=1):
                await change_users(page, session_users(i, 1))
                shown = (await page.locator(".capkit-monthly-cost").text_content()).strip()
                assert shown == expected_cost(session_users(i, 1))
                assert not await page.locator(".capkit-session-ended").is_visible()
            for run in runs[1:]:
                assert run.errors == [] and run.external == [], (run.errors, run.external)
                run.closing = True
            runs[0].closing = True
            await browser.close()

    with serve_app() as (url, proc):
        asyncio.run(scenario(url, proc.pid))
