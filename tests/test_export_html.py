"""Exported HTML opens from a file in headless chromium with no network and shows its charts."""

from __future__ import annotations

import pytest

import capkit
from capkit.report import export_html
from capkit.tables import money
from tests.browser import offline_page
from tests.test_report import CDN

pytestmark = pytest.mark.browser


def test_planner_exports_offline_html(tmp_path):
    from playwright.sync_api import sync_playwright

    out = export_html(tmp_path / "planner.html", stack="vercel-supabase", users=250_000)
    assert not CDN.search(out.read_text())
    s = capkit.load_stack("vercel-supabase")
    cost = money(capkit.right_size(s, s.workload(users=250_000)).summary["monthly_cost_usd"])  # right-sized first
    with sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(out.as_uri())
        assert page.locator(".capkit-monthly-cost").inner_text() == cost
        charts = page.locator("img.capkit-chart")
        assert charts.count() == 3
        assert page.evaluate(
            "[...document.querySelectorAll('img.capkit-chart')].every(i => i.complete && i.naturalWidth > 0)"
        )
        assert page.locator(".capkit-component").count() == 4
        page.screenshot(path=str(tmp_path / "export.png"), full_page=True)
        assert external == [], external
        assert errors == [], errors
