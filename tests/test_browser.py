"""The planner in a real browser: Voila on loopback, headless Debian chromium, no network.

Checks what a user sees: headline figures; a slider change gives the engine's value for the
new input; changing the stack changes the component list; every chart rendered; a bad
assumption shows a message next to its input; no request left 127.0.0.1; no console error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import capkit
from capkit.scenario import Scenario
from capkit.tables import money
from tests.browser import offline_page, serve_app, set_slider

pytestmark = pytest.mark.browser
CHARTS = ("cost", "curve", "util")


@pytest.fixture(scope="module")
def app_url():
    with serve_app() as (url, _proc):
        yield url


def expected_cost(stack: str, sizing: str = "right-sized", **values: float) -> str:
    """The engine's monthly cost, right-sized (the planner's first answer) or as configured."""
    s = capkit.load_stack(stack)
    return money(Scenario(s, s.workload(**values), sizing).plan.summary["monthly_cost_usd"])


def wait_text(page, css: str, text: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        "([css, text]) => { const e = document.querySelector(css); return e && e.textContent.trim() === text; }",
        arg=[css, text],
        timeout=timeout_ms,
    )


def test_planner_in_the_browser(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(app_url, timeout=120_000)
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)

        # Headline figures, for the preset's defaults.
        for name in ("monthly-cost", "cost-per-user", "paying-users", "revenue", "margin", "bottleneck", "max-users"):
            assert page.locator(f".capkit-{name}").inner_text().strip(), name
        assert page.locator(".capkit-monthly-cost").inner_text() == expected_cost("aws-serverless")

        # Every chart drawn by vega in the page (SVG marks, not an image from the kernel).
        for chart in CHARTS:
            page.wait_for_selector(f".capkit-chart-{chart} svg.marks", timeout=60_000)
        assert page.locator(".capkit-planner img.capkit-chart").count() == 0
        # At 1366 px the utilization chart fits its box, legend included, and no name is cut.
        page.set_viewport_size({"width": 1366, "height": 900})
        util = ".capkit-chart-util svg.marks"
        widths = page.evaluate(
            f"() => [document.querySelector('{util}').getBoundingClientRect().width, "
            f"document.querySelector('.capkit-chart-util').clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        legend = page.locator(".capkit-chart-util .role-legend-label text").all_text_contents()
        assert legend and not any(t.endswith("…") for t in legend), legend

        # Typing into the users slider gives the engine's cost for the new users, and the
        # charts' data follow (the current point moves).
        curve = page.locator(".capkit-chart-curve svg.marks").inner_html()
        set_slider(page, ".capkit-users", "250000")
        wait_text(page, ".capkit-monthly-cost", expected_cost("aws-serverless", users=250_000))
        page.wait_for_function(
            "b => document.querySelector('.capkit-chart-curve svg.marks').innerHTML !== b", arg=curve, timeout=30_000
        )

        # Hovering the cost curve shows users, cost and margin; the current point its figures.
        points = page.locator(".capkit-chart-curve g.mark-symbol.role-mark")
        points.nth(0).locator("path").nth(60).hover(force=True)
        tooltip = page.locator("#vg-tooltip-element.visible")
        tooltip.wait_for(timeout=10_000)
        assert "users" in tooltip.inner_text() and "margin" in tooltip.inner_text()
        points.nth(1).locator("path").hover(force=True)
        page.wait_for_function(
            "() => document.querySelector('#vg-tooltip-element.visible').innerText.includes('250,000')",
            timeout=10_000,
        )
        assert expected_cost("aws-serverless", users=250_000) in tooltip.inner_text()

        # Clicking a limit in the utilization legend dims the others.
        legend = page.locator(".capkit-chart-util .role-legend-symbol path").first
        legend.click(force=True)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.capkit-chart-util .mark-line path')]"
            ".some(p => (p.getAttribute('stroke-opacity') || p.getAttribute('opacity') || '1') < 0.5)",
            timeout=10_000,
        )

        # A bad assumption: a message next to the input, no traceback, figures unchanged.
        page.locator(".capkit-assumptions").get_by_text("Assumptions", exact=True).click()
        box = page.locator(".capkit-assumption", has_text="duration_ms").locator("input")
        box.fill("-5")
        box.press("Enter")
        page.locator(".capkit-assumption", has_text="duration_ms").locator(".capkit-error").wait_for(timeout=30_000)
        assert (
            "duration_ms = -5 is not allowed" in page.locator(".capkit-assumption", has_text="duration_ms").inner_text()
        )
        assert "Traceback" not in page.content()
        assert page.locator(".capkit-monthly-cost").inner_text() == expected_cost("aws-serverless", users=250_000)

        # Changing the stack changes the component list (readable names; ids in the tooltip).
        page.locator(".widget-dropdown select").select_option("render-postgres")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.capkit-component')].map(e => e.textContent).join(',')"
            " === 'Render web service,Render Postgres,Redis,Email,Sentry'",
            timeout=60_000,
        )
        wait_text(page, ".capkit-monthly-cost", expected_cost("render-postgres"))
        for chart in CHARTS:
            page.wait_for_selector(f".capkit-chart-{chart} svg.marks", timeout=60_000)

        # Right-sized first: the answer names the configuration and the actions, nothing is over.
        s = capkit.load_stack("render-postgres")
        sized = capkit.right_size(s, s.workload())
        answer = page.locator(".capkit-answer").inner_text()
        assert answer.startswith(f"Cost to serve 20,000 users: {expected_cost('render-postgres')}/month, right-sized")
        assert "\nRender web service: Starter, " in answer and "\nActions:\n" in answer
        assert page.locator(".capkit-row-over").count() == 0
        # The toggle shows the stack as written: every over-limit row red, the first limit named.
        page.locator(".capkit-sizing").get_by_text("As configured", exact=True).click()
        wait_text(page, ".capkit-monthly-cost", expected_cost("render-postgres", "as-configured"))
        written = capkit.evaluate(s, s.workload())
        over = written.load[written.load["status"] == "over"]
        assert len(over) > 0 and sized.fits and not written.fits
        assert page.locator(".capkit-over-limits").inner_text() == (
            f"Over its limits at 20,000 users: {written.limits[0]['label']}"
        )
        assert page.locator(".capkit-row-over").count() == len(over)
        colour = page.locator(".capkit-row-over .capkit-status-over").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert colour == "rgb(214, 39, 40)"  # STATUS_COLOURS["over"], #d62728
        # The link carries the toggle.
        page.wait_for_function(
            "() => document.querySelector('.capkit-scenario-link').href.includes('sizing=as-configured')",
            timeout=30_000,
        )

        shot = tmp_path / "planner.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        assert external == [], f"requests outside 127.0.0.1: {external}"
        assert errors == [], f"console errors: {errors}"


@contextmanager
def run_in_lab(tmp_path: Path, notebook: str) -> Iterator[object]:
    """A copy of notebooks/ in JupyterLab (it autosaves; the committed notebooks stay without
    outputs), ``notebook`` opened and Run All Cells clicked; afterwards a screenshot, and no
    request may have left 127.0.0.1 and no console error may have shown."""
    import shutil

    from playwright.sync_api import sync_playwright

    from tests.browser import serve_lab

    notebooks = tmp_path / "notebooks"
    shutil.copytree(Path(__file__).resolve().parent.parent / "notebooks", notebooks)
    with serve_lab(notebooks) as url, sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(f"{url}lab/tree/{notebook}?reset", timeout=120_000)
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
        page.locator(".lm-MenuBar").get_by_text("Run", exact=True).first.click()
        page.get_by_text("Run All Cells", exact=True).click()
        yield page
        page.screenshot(path=str(tmp_path / f"lab-{Path(notebook).stem}.png"))
        assert external == [], f"requests outside 127.0.0.1: {external}"
        assert errors == [], f"console errors: {errors}"


def test_planner_in_jupyterlab(tmp_path):
    """The same notebook run in JupyterLab (Run All Cells) renders its charts offline."""
    with run_in_lab(tmp_path, "planner.ipynb") as page:
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        assert page.locator(".capkit-monthly-cost").inner_text() == expected_cost("aws-serverless", users=10_000)
        # JupyterLab gets the same chart library from capkit's server extension (capkit.vega).
        for chart in CHARTS:
            page.wait_for_selector(f".capkit-chart-{chart} svg.marks", timeout=60_000)
        assert page.locator(".capkit-scenario-link").count() == 0  # no page URL in JupyterLab


def test_explore_notebook_in_jupyterlab(tmp_path):
    """notebooks/explore.ipynb, Run All Cells in JupyterLab: every cell runs, its tables show in
    the one style, its charts draw with vega, no news prompt, nothing leaves 127.0.0.1."""
    with run_in_lab(tmp_path, "explore.ipynb") as page:
        # The last cell's printed figures: the run reached the end.
        page.get_by_text("servers for a mean wait under 10 ms: 3").wait_for(timeout=240_000)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert page.get_by_text("Traceback").count() == 0
        # The plan's and the stack's HTML views, and the charts drawn in the page (4: per user,
        # cost band, roadmap steps; their SVG marks).
        assert (
            page.locator(".capkit-answer").count() >= 2 and page.locator("table.capkit-stack-assumptions").count() == 1
        )
        page.wait_for_function(
            "() => document.querySelectorAll('.capkit-chart svg.marks').length >= 3", timeout=120_000
        )
        assert right_aligned_text(page) == []
        assert page.get_by_text("Would you like to get notified about official Jupyter news?").count() == 0


def test_scenario_link_and_downloads(app_url, tmp_path):
    """The page reads its inputs from the URL, links to them, and downloads the plan and charts."""
    import csv
    import io
    import json
    import zipfile

    from playwright.sync_api import sync_playwright

    from capkit.export import plan_csv

    query = "stack=render-postgres&users=30000&calls_per_user=20&cache_hit_rate=0.7"
    values = {"users": 30_000, "calls_per_user": 20, "cache_hit_rate": 0.7}
    with sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(f"{app_url}?{query}", timeout=120_000)
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        wait_text(page, ".capkit-monthly-cost", expected_cost("render-postgres", **values))

        # The link reproduces the inputs in a new page.
        href = page.locator(".capkit-scenario-link").get_attribute("href")
        assert href.startswith("?stack=render-postgres&") and "cache_hit_rate=0.7" in href
        other = page.context.new_page()
        other.goto(f"{app_url}{href}", timeout=120_000)
        other.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        wait_text(other, ".capkit-monthly-cost", expected_cost("render-postgres", **values))
        other.close()

        # Downloads: the plan as CSV and JSON for the current inputs, the charts as SVG files.
        s = capkit.load_stack("render-postgres")
        plan = capkit.right_size(s, s.workload(**values))
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="Plan CSV").click()
        assert info.value.suggested_filename == "render-postgres-plan.csv"
        got = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
        assert got == list(csv.DictReader(io.StringIO(plan_csv(plan))))
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="Plan JSON").click()
        assert json.loads(Path(info.value.path()).read_text())["monthly_cost_usd"] == pytest.approx(
            plan.summary["monthly_cost_usd"]
        )
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="Charts SVG").click()
        with zipfile.ZipFile(info.value.path()) as z:
            assert sorted(z.namelist()) == ["cost-and-revenue.svg", "cost-by-component.svg", "utilization.svg"]
            assert all(z.read(n).startswith(b"<svg") for n in z.namelist())
        assert external == [], f"requests outside 127.0.0.1: {external}"
        assert errors == [], f"console errors: {errors}"


def test_a_stack_path_outside_the_folder_is_refused(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, offline_page(pw) as (page, _external, _errors):
        page.goto(f"{app_url}?stack=../../etc/passwd.yaml&users=5000&nonsense=1", timeout=120_000)
        page.wait_for_selector(".capkit-monthly-cost", timeout=120_000)
        page.get_by_text("is refused: the planner opens stack files under").wait_for(timeout=30_000)
        page.get_by_text("'nonsense' is not a field of stack aws-serverless").wait_for(timeout=30_000)
        # The rest of the link still applies, on the default stack.
        wait_text(page, ".capkit-monthly-cost", expected_cost("aws-serverless", users=5_000))


@contextmanager
def bundled_page(notebook: str, shot: Path) -> Iterator[object]:
    """A bundled notebook served by ``capkit app`` and opened offline; afterwards a screenshot,
    and no request may have left 127.0.0.1 and no console error may have shown."""
    from playwright.sync_api import sync_playwright

    with serve_app("--notebook", notebook) as (url, _proc), sync_playwright() as pw:
        with offline_page(pw) as (page, external, errors):
            page.goto(url, timeout=120_000)
            yield page
            page.screenshot(path=str(shot), full_page=True)
            assert external == [], f"requests outside 127.0.0.1: {external}"
            assert errors == [], f"console errors: {errors}"


def test_compare_page(tmp_path):
    """Compare: one business workload for every stack (the same revenue), right-sized rows."""
    from capkit.scenario import compare

    with bundled_page("compare.ipynb", tmp_path / "compare.png") as page:
        page.wait_for_selector(".capkit-compare tbody tr", timeout=120_000)
        page.wait_for_selector(".capkit-chart-compare svg.marks", timeout=60_000)
        set_slider(page, ".capkit-users", "30000")
        expected = compare(capkit.preset_names(), {"users": 30_000})
        page.wait_for_function(
            "cost => document.querySelector('.capkit-compare tbody tr td:nth-child(2)').textContent === cost",
            arg=money(expected["monthly_cost_usd"].iloc[0]),
            timeout=60_000,
        )
        rows = page.locator(".capkit-compare tbody tr")
        assert rows.count() == 4
        cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(4)]
        assert [c[0] for c in cells] == capkit.preset_names()
        assert [c[1] for c in cells] == [money(x) for x in expected["monthly_cost_usd"]]
        assert len({c[3] for c in cells}) == 1  # one business workload: one revenue
        assert all(c[5] for c in cells)  # a configuration per stack
        assert right_aligned_text(page) == []
        assert page.locator(".capkit-compare-workload tbody tr").count() == 7  # the shared business workload
        assert "users=30000" in page.locator(".capkit-scenario-link").get_attribute("href")
        # One stack only: a message, not a traceback.
        page.locator(".capkit-compare-app select").select_option(["aws-serverless"])
        page.get_by_text("give two to four stacks").wait_for(timeout=30_000)


#: Cells of capkit's tables whose text is words yet that the page aligns right.
RIGHT_ALIGNED_TEXT = """() => [...document.querySelectorAll('.capkit-table td')]
    .filter(td => getComputedStyle(td).textAlign === 'right')
    .map(td => td.textContent.trim())
    .filter(t => !/^[+\\-\u2212]?\\$?[\\d,]*\\.?\\d+(e[+\\-]?\\d+)?\\s?(%|[a-zA-Z]{1,3}(\\/s)?)?$/.test(t))
    .filter(t => !['', 'never', 'n/a', 'inf', 'unstable'].includes(t))"""


def right_aligned_text(page) -> list[str]:
    """The text cells of capkit's tables that the page aligns right (none should be)."""
    return page.evaluate(RIGHT_ALIGNED_TEXT)


def test_analysis_page_inputs(tmp_path):
    """The analysis page has inputs; its headline and roadmap follow them, the slower sections too."""
    with bundled_page("analysis.ipynb", tmp_path / "analysis.png") as page:
        page.wait_for_selector(".capkit-analysis-headline .capkit-monthly-cost", timeout=120_000)
        heading = page.locator("h1").first.inner_text()
        assert heading.startswith("Roadmap, uncertainty and latency") and "\\n" not in page.locator("body").inner_text()
        assert page.locator(".capkit-analysis-roadmap table.capkit-roadmap").count() == 1
        # Every chart drawn by vega in the page, the roadmap's as steps (each segment of its line
        # level or upright: a pair of points shares x or y).
        for section in ("roadmap", "uncertainty", "latency"):
            page.wait_for_selector(f".capkit-analysis-{section} svg.marks", timeout=120_000)
        assert page.locator(".capkit-analysis img.capkit-chart").count() == 0
        step = page.locator(
            ".capkit-analysis-roadmap svg.marks path.mark-line, .capkit-analysis-roadmap .mark-line path"
        )
        d = step.first.get_attribute("d")
        points = [tuple(map(float, p.split(","))) for p in re.split("[ML]", d) if p]
        level_or_upright = [a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)]
        assert len(points) > 10 and all(level_or_upright), d[:120]
        # From today: the phases behind today's users are one row; no other row ends below them.
        begins = page.locator(".capkit-roadmap tbody tr td:first-child").all_inner_texts()
        now = [i for i, b in enumerate(begins) if b.startswith("now")]
        assert sum(b.startswith("behind today") for b in begins) <= 1 and len(now) == 1 and now[0] <= 1
        assert right_aligned_text(page) == []
        href = page.locator(".capkit-scenario-link").get_attribute("href")
        assert "stack=render-postgres" in href and "growth_rate_monthly=0.1" in href
        cost = ".capkit-analysis-headline .capkit-monthly-cost"
        set_slider(page, ".capkit-users", "100000")
        wait_text(page, cost, expected_cost("render-postgres", users=100_000))
        page.locator(".capkit-analysis select").first.select_option("aws-serverless")
        wait_text(page, cost, expected_cost("aws-serverless", users=100_000))
        page.get_by_text("No fixed-capacity pool in this stack").wait_for(timeout=120_000)


def test_the_chart_library_is_fetched_once_per_browser():
    """The vega bundle comes from capkit's server, once: the next page load and a new tab read
    it from the browser's cache (Chrome DevTools Protocol events). No routing here (Playwright's
    routing turns the HTTP cache off): a proxy that does not exist stops non-loopback requests."""
    from playwright.sync_api import sync_playwright

    from capkit import vega
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, is_local

    blocked = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost;[::1]"]
    with serve_app() as (url, _proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *blocked])
        context = browser.new_context()
        external: list[str] = []
        context.on("request", lambda r: None if is_local(r.url) else external.append(r.url))
        fetched, cached = [], []
        for _ in range(3):
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            from_cache: set[str] = set()  # request ids the memory cache answered

            def served(e, from_cache=from_cache):
                from_cache.add(e["requestId"])

            def received(e, from_cache=from_cache):
                address = e["response"]["url"]
                hit = e["requestId"] in from_cache or e["response"].get("fromDiskCache")
                (cached if hit else fetched).append(address)

            cdp.on("Network.requestServedFromCache", served)
            cdp.on("Network.responseReceived", received)
            page.goto(url, timeout=120_000)
            page.wait_for_selector(".capkit-chart-cost svg.marks", timeout=60_000)
            page.reload(timeout=120_000)
            page.wait_for_selector(".capkit-chart-cost svg.marks", timeout=60_000)
        name = f"/{vega.ROUTE}{vega.bundle_name()}"
        bundle = [u for u in fetched if u.endswith(name)]
        assert len(bundle) == 1, fetched  # from the server once,
        # then from the memory or disk cache: the reload, and two more tabs loaded twice each
        assert cached.count(bundle[0]) == 5, cached
        assert external == [], external
        browser.close()
