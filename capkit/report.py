"""Reports: one plan told as a story, run with papermill, exported as self-contained HTML.

``Report`` builds the sections that notebooks/report.ipynb displays (inputs, headline,
charts, load, cost, growth, pricing sources). ``write_report`` (``capkit report``) checks its
inputs first, with the same errors as ``capkit plan``, then runs the notebook with papermill
and writes the HTML and the executed notebook, named by stack and date. Files are written to
a temporary name and renamed: a failed run leaves the previous report in place.

The HTML uses capkit's ``capkit-offline`` nbconvert template (no require.js, MathJax or widget
manager from a CDN) and static SVG charts, so it opens from a file with no network.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from capkit.bills import read_bill
from capkit.errors import CapkitError, InputError
from capkit.files import check_writable_folder, write_atomically, write_folder
from capkit.growth import Growth, assumed_growth, fit_growth, read_actuals, timeline
from capkit.plan import Plan
from capkit.pricing import PriceEntry, is_stale
from capkit.scenario import USER_LEVELS, Scenario, roadmap_from_today
from capkit.serve import jupyter_share_dir, notebook_path
from capkit.sizing import check_sizing
from capkit.stack import Stack, load_stack
from capkit.tables import (
    CSS,
    components_html,
    cost_shown,
    count,
    headline_figures,
    headline_html,
    html_table,
    load_html,
    metric_label,
    notes_html,
    odds_shown,
    percentiles_shown,
)
from capkit.workload import UNIVERSAL, Workload

if TYPE_CHECKING:
    import altair as alt


class ReportError(CapkitError):
    """The report notebook failed; the message is papermill's cell error, short."""


class _Html:
    """A section: HTML text and charts in order. ``markup`` draws the charts as SVG images (a
    report, a notebook: IPython calls _repr_html_); a live page draws ``parts`` itself, each
    chart with vega in the browser."""

    def __init__(self, *parts: str | alt.TopLevelMixin):
        self.parts = list(parts)

    @property
    def markup(self) -> str:
        from capkit import charts

        return "".join(p if isinstance(p, str) else charts.to_img_html(p) for p in self.parts)

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        """Plain-text fallback: the section's text without tags (stable across runs)."""
        import re

        return re.sub(
            r"\s+", " ", re.sub(r"<(style|img)[^>]*>.*?</style>|<[^>]+>", " ", self.markup, flags=re.S)
        ).strip()


@dataclass
class ReportParams:
    """The inputs of one report: the one object ``capkit report``, :func:`write_report`, the
    report notebook (its parameters cell lists these fields, the universal workload fields one
    by one) and :meth:`Report.build` share."""

    stack: str = "aws-serverless"  # a preset name, or a path to a stack YAML file
    settings: dict[str, float] = field(default_factory=dict)  # workload fields (None: defaults)
    actuals: str | None = None  # a CSV date,users of daily actives; None: assumed growth
    growth_rate_monthly: float = 0.1  # monthly growth without actuals (0.1: 10 %)
    title: str | None = None  # None: the stack's title
    report_date: str | None = None  # ISO date; None: today
    sizing: str = "right-sized"  # or as-configured
    allow_hobby: bool = False  # right-sizing may choose plans unfit for a paying product
    bills: list[str] | None = None  # bill files: adds the model against them (needs actuals)

    def to_notebook(self) -> dict[str, Any]:
        """The papermill parameters of the report notebook: each universal field on its own (None
        for its default), the stack's own under ``assumptions``, the rest as they are."""
        out: dict[str, Any] = {k: self.settings.get(k) for k in UNIVERSAL}
        out["assumptions"] = {k: v for k, v in self.settings.items() if k not in UNIVERSAL}
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "settings"})
        return out

    @classmethod
    def from_notebook(cls, namespace: Mapping[str, Any]) -> ReportParams:
        """The parameters as the notebook's cell holds them (its variables by field name)."""
        settings = {k: namespace[k] for k in UNIVERSAL if namespace.get(k) is not None}
        settings.update(namespace.get("assumptions") or {})
        names = [f.name for f in fields(cls) if f.name != "settings"]
        return cls(settings=settings, **{k: namespace[k] for k in names if k in namespace})


@dataclass
class Report:
    """The sections of a report on one plan."""

    scenario: Scenario
    growth: Growth
    title: str
    report_date: dt.date

    @property
    def stack(self) -> Stack:
        return self.scenario.stack

    @property
    def plan(self) -> Plan:
        return self.scenario.plan

    @property
    def table(self) -> pd.DataFrame:
        return self.scenario.table

    @property
    def wl(self) -> Workload:
        return self.scenario.workload

    @classmethod
    def build(cls, params: ReportParams) -> Report:
        """The report ``params`` ask for: the stack planned at its settings (the rest at their
        defaults), right-sized (plans unfit for a paying product only with ``allow_hobby``) or
        as configured."""
        values = {k: v for k, v in params.settings.items() if v is not None}
        scenario = Scenario.of(params.stack, values, params.sizing, allow_hobby=params.allow_hobby)
        day = dt.date.fromisoformat(params.report_date) if params.report_date else None
        return cls.of(scenario, params.growth_rate_monthly, params.actuals, params.title, day)

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        growth_rate_monthly: float = 0.1,
        actuals: str | None = None,
        title: str | None = None,
        report_date: dt.date | None = None,
    ) -> Report:
        """The report on ``scenario``: growth fitted to ``actuals`` (a date,users CSV) or assumed
        at ``growth_rate_monthly`` from today's users, dated ``report_date`` (default today)."""
        day = report_date or dt.date.today()
        if actuals:
            growth = fit_growth(read_actuals(actuals))
        else:
            growth = assumed_growth(scenario.users, growth_rate_monthly, day)
        return cls(scenario, growth, title or scenario.stack.title, day)

    def header(self) -> _Html:
        return _Html(
            f"{CSS}<h1>{html.escape(self.title)}</h1><p>Stack <b>{self.stack.name}</b> "
            f"({html.escape(self.stack.title)}), capacity and cost report of {self.report_date}.</p>"
        )

    def inputs(self) -> _Html:
        """Every workload field with its value, unit and where its default comes from."""
        rows = [
            {
                "assumption": k,
                "value": f"{v:,.6g}",
                "unit": self.stack.specs[k].unit,
                "default": f"{self.stack.specs[k].default:,.6g}",
                "meaning": self.stack.specs[k].meaning,
                "source of the default": self.stack.specs[k].source,
            }
            for k, v in self.plan.workload.items()
        ]
        return _Html("<h2>Inputs</h2>" + html_table(pd.DataFrame(rows), "capkit-inputs"))

    def headline(self) -> _Html:
        s = self.plan.summary
        b = s["bottleneck"]
        story = (
            "No hard limit grows with users in this stack."
            if b is None
            else f"The first limit to bite is <b>{html.escape(metric_label(self.plan, b['component'], b['metric']))}"
            f"</b> ({b['component']}.{b['metric']}), at <b>{count(s['max_users'])}</b> daily active users."
        )
        return _Html(f"<h2>Headline</h2>{headline_html(self.plan)}<p>{story}</p>")

    def summary_text(self) -> str:
        """The headline figures as plain text (pinned by nbval for the default report)."""
        figures = {"sizing": self.plan.sizing, **headline_figures(self.plan)}
        return "\n".join(f"{k}: {v}" for k, v in figures.items())

    def charts(self) -> _Html:
        return _Html("<h2>Charts</h2>", *self.scenario.charts().values())

    def load(self) -> _Html:
        return _Html("<h2>Load against every limit</h2>" + load_html(self.plan) + notes_html(self.plan))

    def costs(self) -> _Html:
        detail = cost_shown(self.plan)
        return _Html(
            "<h2>Cost by component</h2>"
            + components_html(self.plan)
            + "<h3>Every billed item (USD per month)</h3>"
            + html_table(detail, "capkit-cost")
        )

    def growth_html(self) -> _Html:
        g = self.growth
        t = timeline(self.plan, g)
        t = t[t["kind"] != "free_tier"].drop(columns=["kind", "component", "metric"])
        for col in [c for c in t.columns if c.endswith("at users")]:
            t[col] = t[col].map(count)
        for col in [c for c in t.columns if c.endswith("date")]:
            t[col] = t[col].map(lambda d: "never" if d is None else d.isoformat())
        rate = (
            "shrinking or flat: no limit is reached by growth"
            if g.rate_monthly <= 0
            else (
                f"{g.rate_monthly:.1%} a month (doubling every {math.log(2) / math.log1p(g.rate_monthly):.1f} months)"
            )
        )
        return _Html(
            f"<h2>Growth</h2><p>{count(g.users)} daily active users on {g.as_of}; growth {rate}, "
            f"{html.escape(g.source)}. The dates at which each limit reaches watch (70 %), act (90 %) "
            f"and its limit:</p>" + html_table(t, "capkit-growth")
        )

    def roadmap_html(self, chart: bool = True) -> _Html:
        """The roadmap from today: the phases already behind today's users folded into one row,
        the current phase marked, the date each later phase begins at this growth, and its step
        chart (``chart=False`` leaves it out, for a first quick look)."""
        from capkit import charts
        from capkit.analysis.roadmap import roadmap_table

        phases = self.scenario.roadmap()
        table = roadmap_table(phases, self.plan.names)
        g = self.growth
        shown = roadmap_from_today(table, g)
        intro = (
            "<h2>Roadmap</h2><p>The cheapest configuration that keeps every limit under watch, phase by "
            f"phase from today's {count(g.users)} users, and when each phase begins at "
            f"{html.escape(g.source)} growth.</p>"
        )
        steps = [charts.roadmap_steps(table, g.users)] if chart else []
        marks = [
            "capkit-behind" if b.startswith("behind") else "capkit-current" if b.startswith("now") else ""
            for b in shown["begins"]
        ]
        return _Html(intro, *steps, html_table(shown, "capkit-roadmap", names=["begins"], row_classes=marks))

    def uncertainty_html(self, draws: int = 1000, seed: int = 0) -> _Html:
        """The cost band from simulate, and the tornado from sensitivity."""
        from capkit import charts
        from capkit.analysis.uncertainty import sensitivity, simulate

        wl = self.wl
        band = self.scenario.band(draws, seed)
        sim = simulate(self.stack, wl, draws * 10, seed)
        tornado = sensitivity(self.stack, wl)
        ranged = ", ".join(f"{k} {lo:g} to {hi:g}" for k, (lo, _m, hi) in sim.ranges.items()) or "none declared"
        pct = percentiles_shown(sim.percentiles)
        odds = odds_shown(sim.bottleneck_probability, self.scenario.labels)
        return _Html(
            f"<h2>Uncertainty</h2><p>Ranged assumptions (triangular, seed {seed}): {html.escape(ranged)}.</p>",
            charts.cost_band(band, self.plan.workload["users"]),
            html_table(pct, "capkit-simulate") + html_table(odds, "capkit-bottleneck-odds"),
            "<h3>Sensitivity</h3><p>Each assumption at its low and high value (its declared range, "
            "else half and one and a half times its value), everything else fixed.</p>",
            charts.tornado(tornado),
        )

    def latency_html(self, target_ms: float = 500.0) -> _Html:
        """Response times of the fixed-capacity pools (M/M/c) and of the cache tiers, if any."""
        from capkit.analysis.caching import cache_latency
        from capkit.analysis.latency import latency

        wl = self.wl
        parts: list[str | alt.TopLevelMixin] = ["<h2>Latency</h2>"]
        table = latency(self.stack, wl, target_ms)
        if table.empty:
            parts.append("<p>No fixed-capacity pool in this stack: its services scale per request.</p>")
        else:
            shown = table.assign(
                component=table["component"].map(lambda c: self.plan.names.get(c, c)),
                utilization=table["utilization"].map(lambda u: f"{u:.1%}"),
                median_ms=table["median_ms"].map(lambda x: f"{x:,.0f}"),
                p95_ms=table["p95_ms"].map(lambda x: f"{x:,.0f}"),
                users_at_target=table["users_at_target"].map(count),
            )
            from capkit import charts
            from capkit.analysis.latency import latency_curve

            curve = latency_curve(self.stack, wl, np.asarray(USER_LEVELS[::2]))
            parts += [
                f"<p>Each pool as an M/M/c queue at the peak hour; users at which the 95th percentile "
                f"passes {target_ms:,.0f} ms.</p>" + html_table(shown, "capkit-latency"),
                charts.latency_curves(curve, target_ms, self.plan.workload["users"]),
            ]
        caches = cache_latency(wl)
        if caches is not None:
            tiers = caches["tiers"].assign(share=caches["tiers"]["share"].map(lambda s: f"{s:.1%}"))
            parts.append(
                "<h3>Cache tiers</h3><p>Lookups try memory, then Redis, then the database: mean "
                f"{caches['mean_ms']:.2f} ms, 95th percentile {caches['p95_ms']:g} ms, 99th {caches['p99_ms']:g} ms; "
                f"the misses leave {caches['database_queries_per_s']:,.1f} database queries/s at the peak hour.</p>"
                + html_table(tiers, "capkit-cache-tiers")
            )
        return _Html(*parts)

    def bill_html(self, bills: list[str] | None, users: str | None) -> _Html | None:
        """ "Model against your bill": each bill line's actual, the model before and after a fit
        of the stack's assumptions to it, the assumptions fitted and held, the unmapped lines."""
        if not bills:
            return None
        from capkit.calibrate import calibrate, calibration_sections

        if not users:
            raise ReportError("a bill needs the daily active users of its months: give actuals (date,users)")
        result = calibrate(self.stack, bills, users)
        months = (
            f"{len(result.months)} full month{'s' if len(result.months) != 1 else ''}, "
            f"{result.months[0]} to {result.months[-1]}; cost column {', '.join(dict.fromkeys(result.cost_columns))}"
        )
        intro = (
            f"<h2>Model against your bill</h2><p>{html.escape(', '.join(Path(b).name for b in result.bills))}: "
            f"{months}. Each line's usage, the model with the stack's assumptions and after fitting them "
            "to the bill (bounded least squares on log quantities, each assumption within its range).</p>"
        )
        return _Html(intro, *calibration_sections(result, chart=True))

    def sources(self) -> _Html:
        """The pricing entries the headline's configuration uses (right-sized or as written,
        whichever the report prices), with source, date and confidence."""
        rows = []
        for s in self.plan.sources:
            e = PriceEntry.model_validate({k: v for k, v in s.items() if k != "key"})
            rows.append(
                {
                    "entry": s["key"],
                    "value": f"{e.value:.10g}",
                    "unit": e.unit,
                    "as of": e.as_of.isoformat(),
                    "confidence": e.confidence,
                    "stale": "yes" if is_stale(e, self.report_date) else "",
                    "source": str(e.source),
                }
            )
        return _Html(
            "<h2>Pricing sources</h2><p>Check the provider's page before relying on a low-confidence "
            "or stale figure.</p>" + html_table(pd.DataFrame(rows), "capkit-sources")
        )


# --- running the notebook -------------------------------------------------------------------
def execute(notebook: Path | str, parameters: Mapping[str, Any]) -> Any:
    """Run a notebook with papermill; a failing cell raises ReportError with its error."""
    import papermill as pm

    try:
        return pm.execute_notebook(
            str(notebook),
            None,
            parameters=dict(parameters),
            progress_bar=False,
            kernel_name="python3",
            cwd=str(Path(notebook).parent),
            # The kernel is papermill's own, on loopback: its warning that TCP is unencrypted
            # says nothing to a report's reader, so it logs errors only.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"{Path(notebook).name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}") from None


def normalize(nb: Any) -> Any:
    """Make an executed notebook depend on its inputs only: stable cell ids, no run timings.

    papermill gives the injected-parameters cell a random id and records start and end times;
    the cell ids reach the HTML, so without this two runs of the same report would differ.
    """
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


def to_html(nb: Any, title: str = "capkit") -> str:
    """An executed notebook as offline HTML, input cells hidden."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # Cells tagged hide-in-report (the plain-text figures pinned for nbval) stay out of the HTML.
    config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": ["hide-in-report"]}})
    exporter = HTMLExporter(
        config=config,
        template_name="capkit-offline",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_template_basedirs=[str(jupyter_share_dir() / "nbconvert" / "templates")],
    )
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return body


def export_html(out: Path | str, notebook: str = "planner.ipynb", **parameters: Any) -> Path:
    """Run a bundled notebook with ``parameters`` in static mode and write it as HTML to ``out``."""
    out = Path(out)
    nb = normalize(execute(notebook_path(notebook), {**parameters, "interactive": False}))
    write_atomically(out, to_html(nb, title=out.stem))
    return out


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    notebook: Path


def write_report(params: ReportParams, out: Path | str = "reports") -> ReportFiles:
    """``capkit report``: the report notebook for ``params`` as HTML and executed notebook in
    ``out``.

    Inputs are checked before papermill starts (unknown stack, bad values, unknown keys and a
    bad actuals file or bill fail with the same one-line errors as ``capkit plan``).
    """
    s = load_stack(params.stack)
    check_sizing(params.sizing)
    check_writable_folder(out)
    s.workload(**params.settings)  # validates every value and key now, not inside the kernel
    bills = list(params.bills or [])
    if bills and params.actuals is None:
        raise InputError(
            "required with a bill: the daily active users (date,users) of the billed months", what="actuals"
        )
    for bill in bills:
        read_bill(bill)  # an unreadable bill fails here, on one line, not inside the kernel
    if params.actuals is not None:
        read_actuals(params.actuals)
    else:
        assumed_growth(1.0, params.growth_rate_monthly, dt.date.today())
    day = dt.date.fromisoformat(params.report_date) if params.report_date else dt.date.today()
    preset = s.path.parent.name == "stacks" and params.stack == s.name
    resolved = replace(
        params,
        stack=params.stack if preset else str(Path(params.stack).resolve()),
        actuals=str(Path(params.actuals).resolve()) if params.actuals else None,
        report_date=day.isoformat(),
        bills=[str(Path(b).resolve()) for b in bills] or None,
    )
    nb = normalize(execute(notebook_path("report.ipynb"), resolved.to_notebook()))
    return _publish(out, f"{s.name}-{day.isoformat()}", nb, params.title or s.title)


def write_case_study(
    name: str,
    settings: Mapping[str, float] | None = None,
    out: Path | str = "reports",
    report_date: dt.date | None = None,
) -> ReportFiles:
    """``capkit report --case NAME``: a case study notebook as HTML and executed notebook in ``out``.

    The case study is loaded once here first, so a bad name or setting fails with a one-line error
    before papermill starts.
    """
    from capkit.casestudy import load_case_study

    settings = dict(settings or {})
    cs = load_case_study(name, settings)
    check_writable_folder(out)
    day = report_date or dt.date.today()
    notebook = notebook_path(f"case-studies/{cs.path.stem}.ipynb")
    nb = normalize(execute(notebook, {"case": cs.path.stem, "settings": settings}))
    return _publish(out, f"case-{cs.path.stem}-{day.isoformat()}", nb, f"Case study: {cs.spec.title}")


def _publish(out: Path | str, base: str, nb: Any, title: str) -> ReportFiles:
    """The executed notebook and its HTML, published together as the folder ``out/base``."""
    import nbformat

    folder = write_folder(out, base, {f"{base}.ipynb": nbformat.writes(nb), f"{base}.html": to_html(nb, title=title)})
    return ReportFiles(folder / f"{base}.html", folder / f"{base}.ipynb")
