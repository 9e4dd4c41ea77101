"""The case-study notebooks render offline in Voila and in JupyterLab (headless chromium)."""

from __future__ import annotations

import shutil

import pytest

from capkit.casestudy import case_study_names, load_case_study
from capkit.report import write_case_study
from capkit.serve import notebook_path, voila_command, voila_env
from tests.browser import free_port, offline_page, serve, serve_lab

pytestmark = pytest.mark.browser
CASES = case_study_names()
DONE = "The roadmap capkit recommends"


def check_rendered(page, name: str) -> None:
    """Headings, the figures table with the document's first figure, the chart image, no traceback."""
    cs = load_case_study(name)
    page.get_by_role("heading", name=DONE).first.wait_for(timeout=120_000)
    # Outputs, not the notebook's text: the figures table and the roadmap table (the last output).
    page.locator("table:visible", has_text=cs.spec.figures[0].label).first.wait_for(timeout=120_000)
    page.locator("table:visible", has_text="from users").first.wait_for(timeout=120_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img')].some(i => i.src.startsWith('data:image/svg+xml') && i.naturalWidth"
        " && i.checkVisibility())",
        timeout=60_000,
    )
    assert "Traceback" not in page.content()


def test_case_studies_in_voila(tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    folder = notebook_path("case-studies/" + CASES[0] + ".ipynb").parent
    with serve(voila_command(folder, port), port, voila_env()) as (url, _proc), sync_playwright() as pw:
        for name in CASES:
            # A page each, checked before it closes: leaving a Voila page logs the refused
            # kernel shutdown (403, voila-dashboards/voila#1458), which is not this page's error.
            with offline_page(pw) as (page, external, errors):
                page.goto(f"{url}voila/render/{name}.ipynb", timeout=120_000)
                check_rendered(page, name)
                page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
                assert external == [], f"{name}: requests outside 127.0.0.1: {external}"
                assert errors == [], f"{name}: console errors: {errors}"


def test_case_studies_in_jupyterlab(tmp_path):
    from playwright.sync_api import sync_playwright

    notebooks = tmp_path / "case-studies"  # a copy: JupyterLab autosaves
    shutil.copytree(notebook_path("case-studies/" + CASES[0] + ".ipynb").parent, notebooks)
    with serve_lab(notebooks) as url, sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        for name in CASES:
            page.goto(f"{url}lab/tree/{name}.ipynb?reset", timeout=120_000)
            page.wait_for_selector(".jp-Notebook", timeout=120_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
            page.locator(".lm-MenuBar").get_by_text("Run", exact=True).first.click()
            page.get_by_text("Run All Cells", exact=True).click()
            check_rendered(page, name)
            page.screenshot(path=str(tmp_path / f"lab-{name}.png"))
        assert external == [], f"requests outside 127.0.0.1: {external}"
        assert errors == [], f"console errors: {errors}"


def test_case_study_report_opens_offline(tmp_path):
    from playwright.sync_api import sync_playwright

    files = write_case_study("004-sltr", {"conversion_rate": 0.1}, tmp_path)
    assert files.html.name.startswith("case-004-sltr-")
    with sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(files.html.as_uri())
        check_rendered(page, "004-sltr")
        assert page.get_by_text("Your settings").count() >= 1
        assert "NBVAL_CHECK_OUTPUT" not in page.content()
        assert external == [] and errors == [], (external, errors)
