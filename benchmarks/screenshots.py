"""Screenshots of the planner, compare and analysis pages at 1366 x 900, for docs/screenshots/.

Run: python benchmarks/screenshots.py [--out docs/screenshots]

Each page is served by ``capkit app`` on loopback and opened offline in Debian's chromium
(tests/browser.py), on a link that sets its inputs; the shot is taken once its figures and
charts are drawn. Nothing outside 127.0.0.1 is requested (the run stops if it is).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import offline_page, serve_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: Page: (notebook, link, the selectors that must be drawn before the shot).
PAGES = {
    "planner": (
        "planner.ipynb",
        "?stack=render-postgres&users=100000",
        [".capkit-cost-to-serve", ".capkit-chart-cost svg.marks", ".capkit-chart-util svg.marks"],
    ),
    "compare": (
        "compare.ipynb",
        "?stacks=aws-serverless,render-postgres,vercel-supabase&users=100000",
        [".capkit-compare tbody tr", ".capkit-chart-compare svg.marks"],
    ),
    "analysis": (
        "analysis.ipynb",
        "?stack=render-postgres&users=20000&growth_rate_monthly=0.15",
        [".capkit-analysis-roadmap svg.marks", ".capkit-analysis-latency svg.marks"],
    ),
}
WIDTH, HEIGHT = 1366, 900


def shoot(name: str, out: Path) -> Path:
    """Serve one page, open it on its link at 1366 x 900 and save the visible part."""
    from playwright.sync_api import sync_playwright

    notebook, query, ready = PAGES[name]
    path = out / f"{name}.png"
    with serve_app("--notebook", notebook) as (url, _proc), sync_playwright() as pw:
        with offline_page(pw) as (page, external, errors):
            page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
            page.goto(url + query, timeout=120_000)
            for css in ready:
                page.wait_for_selector(css, timeout=180_000)
            page.wait_for_timeout(500)  # the last chart's transition
            page.screenshot(path=str(path))
            if external:
                raise SystemExit(f"{name}: requests outside 127.0.0.1: {external}")
            if errors:
                raise SystemExit(f"{name}: console errors: {errors}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=list(PAGES), action="append")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or PAGES:
        print(f"{name}: {shoot(name, out)}")


if __name__ == "__main__":
    main()
