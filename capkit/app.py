"""The planner, compare and analysis apps: ipywidgets over one shared Scenario.

``Planner``, ``Compare`` and ``Analysis`` hold the widgets and update every output in place
when an input moves. Their charts are drawn by vega in the browser (``ChartView`` over
:class:`capkit.widgets.VegaChart`); the kernel only fills each chart's data. ``planner(...)``,
``compare(...)`` and ``analysis(...)`` are what the notebooks call; with ``interactive=False``
they display static HTML and SVG instead of widgets, for exported HTML. The server side
(``capkit app``) lives in :mod:`capkit.serve` and :mod:`capkit.voila_server`.
"""

from __future__ import annotations

import html
import io
import math
import os
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt
    import pandas

    from capkit.report import Report

from capkit.serve import FAST_START_ENV, STACK_ROOT_ENV, skip_iri_grammar

if os.environ.get(FAST_START_ENV) == "1":
    skip_iri_grammar()

import ipywidgets as w
from IPython.display import HTML, display

from capkit import charts, vega
from capkit.errors import CapkitError
from capkit.export import plan_csv, plan_json
from capkit.inputs import (
    FLAG_WORDS,
    PAGE_SPECS,
    SLIDER_SPECS,
    SLIDERS,
    Assumption,
    Inputs,
    page_fields,
    page_link,
    parse_flag,
    parse_query,
)
from capkit.plan import Plan
from capkit.scenario import Scenario, SharedWorkload, business_values, compare_table, comparison
from capkit.sizing import SIZINGS
from capkit.stack import Stack, load_stack, preset_names
from capkit.tables import CSS, components_html, headline_html, html_table, load_html, notes_html
from capkit.widgets import Download, SessionWatch, VegaChart
from capkit.workload import UNIVERSAL


class ChartView:
    """An altair chart in the page: drawn by vega in the browser from its spec (VegaChart), so
    the kernel only builds the spec; an input change sends the new spec. Where the page cannot
    load capkit's chart library (a server without capkit's route), the chart becomes an SVG
    image drawn in the kernel by vl-convert, imported only then. Setting ``chart`` redraws.

    Made before its first chart (``chart`` None): the page keeps its place, empty until then.
    """

    def __init__(self, css_class: str, chart: alt.TopLevelMixin | charts.Spec | None = None):
        self._chart = None
        self._vega: VegaChart | None = None
        self._image: w.HTML | None = None
        self.widget = w.Box([], layout=w.Layout(min_height="120px"))
        self.widget.add_class(css_class)
        if chart is not None:
            self.chart = chart

    @property
    def chart(self) -> alt.TopLevelMixin | charts.Spec | None:
        return self._chart

    @chart.setter
    def chart(self, chart: alt.TopLevelMixin | charts.Spec) -> None:
        self._chart = chart
        if self._image is not None:
            self._image.value = charts.to_img_html(chart)
        elif self._vega is None:
            self._vega = VegaChart(_spec(chart), vega.bundle_name(), on_missing=self._as_image)
            self.widget.children = [self._vega]
        else:
            self._vega.spec = _spec(chart)

    def _as_image(self, _error: str) -> None:
        """The page has no chart library: draw in the kernel from now on."""
        if self._image is None:
            self._image = w.HTML(charts.to_img_html(self._chart))
            self.widget.children = [self._image]


def show_chart(chart: alt.TopLevelMixin | charts.Spec) -> w.Widget:
    """An altair chart (or a Vega-Lite spec) drawn by vega in the page, offline: the planner's
    own chart view (its library served by capkit, not a CDN; an SVG from the kernel where the
    server cannot serve it). For a chart of your own in JupyterLab or Voila."""
    return ChartView("capkit-chart", chart).widget


def _spec(chart: alt.TopLevelMixin | charts.Spec) -> charts.Spec:
    """The chart's Vega-Lite spec (the planner's charts are specs already)."""
    return chart if isinstance(chart, dict) else chart.to_dict(validate=False)


def stack_root() -> Path | None:
    """The folder stack files may come from when served by ``capkit app`` (None: anywhere)."""
    root = os.environ.get(STACK_ROOT_ENV)
    return Path(root) if root else None


def page_query() -> str:
    """The page URL's query string when the notebook runs in Voila, else "".

    A pre-heated Voila kernel runs the notebook before anyone asks for the page; reading the
    query string waits here until the request arrives (voila.utils.get_query_string).
    """
    if "VOILA_PREHEAT" not in os.environ:
        return ""
    from voila.utils import get_query_string

    return get_query_string() or ""


def served_as_page() -> bool:
    """Whether the notebook runs as a Voila page, which has a URL to link to (Voila gives its
    kernels VOILA_BASE_URL, and VOILA_PREHEAT to pre-heated ones); in JupyterLab it has none."""
    return "VOILA_BASE_URL" in os.environ or "VOILA_PREHEAT" in os.environ


def scenario_link(query: str) -> str:
    """The link every page offers to its current inputs (opens them in a new page); nothing
    where the notebook is not a page (JupyterLab: a link there would open the notebook bare)."""
    if not served_as_page():
        return ""
    return (
        f"<a class='capkit-scenario-link' href='?{html.escape(query)}' target='_blank'>"
        "Link to this scenario</a> <span class='capkit-unit'>(opens these inputs in a new page)</span>"
    )


def _link_error(errors: list[str]) -> str:
    """What a page's link asked for and could not have, said on the page."""
    message = "In the link: " + "; ".join(errors)
    return f"<span class='capkit-error capkit-link-error'>{html.escape(message)}</span>"


def _charts_zip(charts_: Mapping[str, alt.TopLevelMixin], fmt: str) -> bytes:
    """The charts as SVG or PNG files in one zip (vl-convert renders them, offline)."""
    import vl_convert as vlc

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, chart in charts_.items():
            spec = charts.spec_of(chart)
            data = charts.to_svg(spec).encode() if fmt == "svg" else vlc.vegalite_to_png(spec, scale=2)
            z.writestr(f"{name}.{fmt}", data)
    return buffer.getvalue()


def _sizing_toggle() -> w.ToggleButtons:
    """Right-sized (the cheapest configuration that fits) or the stack as configured."""
    toggle = w.ToggleButtons(
        options=[("Right-sized", "right-sized"), ("As configured", "as-configured")],
        value="right-sized",
        tooltips=["the cheapest configuration that keeps every hard limit under watch", "the stack as written"],
        style={"button_width": "120px"},
    )
    toggle.add_class("capkit-sizing")
    return toggle


def _hobby_box() -> w.Checkbox:
    """Let right-sizing choose plans the catalog marks unfit for a paying product."""
    box = w.Checkbox(
        value=False,
        description="Hobby plans (free tiers that sleep or expire, non-commercial plans)",
        indent=False,
        layout=w.Layout(width="auto"),
    )
    box.add_class("capkit-allow-hobby")
    return box


# --- the planner ----------------------------------------------------------------------------
def slider(key: str, value: float, label: str | None = None) -> w.Widget:
    """The slider of one of SLIDERS, as :data:`capkit.inputs.SLIDER_SPECS` describes it: updates
    on release, labels and widths aligned."""
    spec = SLIDER_SPECS[key]
    low, high = spec.ends(value)
    common = {
        "description": label or spec.label,
        "continuous_update": False,
        "style": {"description_width": "110px"},
        "layout": w.Layout(width="520px"),
        "step": spec.step,
        "readout_format": spec.readout,
        "value": value,
    }
    if spec.log:
        widget = w.FloatLogSlider(base=10, min=math.log10(low), max=math.log10(high), **common)
    else:
        widget = w.FloatSlider(min=low, max=high, **common)
    widget.add_class(f"capkit-{key.replace('_', '-')}")
    return widget


def show_value(widget: w.Widget, key: str, value: float) -> None:
    """Move a slider to ``value``, stretching a growing slider's top end to hold it."""
    if not SLIDER_SPECS[key].log:
        widget.max = max(widget.max, SLIDER_SPECS[key].ends(value)[1])
    widget.value = value


class AssumptionInput:
    """The view of one assumption (:class:`capkit.inputs.Assumption`): a box for a number or a
    range low:likely:high, with its unit, allowed values and meaning, and its own error message.

    The widgets are made on first use (``row``): a closed assumptions panel costs the page no
    widget models, which is most of what a page has to render. Until then the state alone holds
    and checks the value.
    """

    def __init__(self, state: Assumption, on_valid: Callable[[], None]):
        self.state = state
        self._on_valid = on_valid
        self._row: w.Widget | None = None

    @property
    def row(self) -> w.Widget:
        if self._row is None:
            spec = self.state.spec
            self._box = w.Text(
                value=self.state.text,
                description=self.state.key,
                tooltip=f"{spec.meaning} A number, or a range low:likely:high.",
                continuous_update=False,
                style={"description_width": "170px"},
                layout=w.Layout(width="300px"),
            )
            unit = w.HTML(
                f"<span class='capkit-unit' title='{html.escape(spec.meaning)}'>{html.escape(spec.unit)} "
                f"({spec.min:,.6g} to {spec.max:,.6g})</span>"
            )
            self._error = w.HTML(self._error_html(), layout=w.Layout(width="100%"))
            self._row = w.VBox([w.HBox([self._box, unit]), self._error])
            self._row.add_class("capkit-assumption")
            self._box.observe(lambda change: self.set_text(change["new"]), "value")
        return self._row

    @property
    def box(self) -> w.Text:
        return self.row.children[0].children[0]

    @property
    def error(self) -> w.HTML:
        return self.row.children[1]

    def _error_html(self) -> str:
        message = self.state.message
        return f"<span class='capkit-error'>{html.escape(message)}</span>" if message else ""

    def set_text(self, text: str) -> None:
        """Typed text: checked by the state; kept if valid, else the message shows by the box."""
        valid = self.state.set_text(text)
        self.show()
        if valid:
            self._on_valid()

    def show(self) -> None:
        """Show the state's text and message (after the state was set from elsewhere, a link)."""
        if self._row is not None:
            if self._box.value != self.state.text:
                self._box.unobserve_all("value")
                self._box.value = self.state.text
                self._box.observe(lambda change: self.set_text(change["new"]), "value")
            self._error.value = self._error_html()


class Planner:
    """The planner: stack picker, sliders, assumptions panel, headline, tables and charts.

    Its inputs are an :class:`capkit.inputs.Inputs` (``state``); the widgets show that state and
    write to it, and ``refresh`` computes from it alone.
    """

    def __init__(
        self, stack: str = "aws-serverless", query: str = "", root: Path | str | None = None, **values: float | None
    ):
        self._muted = False
        self.root = root
        self.stack_picker = w.Dropdown(options=preset_names(), description="Stack", style={"description_width": "60px"})
        self.path_box = w.Text(placeholder="or a stack YAML path", layout=w.Layout(width="260px"))
        self.path_button = w.Button(description="Load file", layout=w.Layout(width="90px"))
        self.stack_error = w.HTML("")
        self.sliders = {k: slider(k, UNIVERSAL[k].default) for k in SLIDERS}
        self.sizing = _sizing_toggle()
        self.hobby = _hobby_box()
        self.assumptions_box = w.VBox()
        self.assumptions = w.Accordion(children=[self.assumptions_box], titles=("Assumptions",))
        self.assumptions.add_class("capkit-assumptions")
        self.assumptions.observe(lambda _c: self._fill_assumptions(), "selected_index")
        self.status = w.HTML("")
        self.headline = w.HTML()
        self.load_table = w.HTML()
        self.components = w.HTML()
        self.notes = w.HTML()
        # Made up front: a failed first refresh leaves them empty and says why in ``status``.
        self.chart_cost, self.chart_curve, self.chart_util = (
            ChartView(f"capkit-chart-{name}") for name in ("cost", "curve", "util")
        )
        self.chart_column = w.VBox(
            [c.widget for c in (self.chart_cost, self.chart_curve, self.chart_util)], layout=w.Layout(overflow="auto")
        )
        self.state: Inputs | None = None
        self.scenario: Scenario | None = None
        self.plan: Plan | None = None
        self.inputs: dict[str, AssumptionInput] = {}
        self.link = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.downloads = w.HBox([Download(label, *spec) for label, spec in self._download_specs().items()])
        self.downloads.add_class("capkit-downloads")
        self.session = SessionWatch()
        for key, widget in self.sliders.items():
            widget.observe(lambda c, key=key: self._set_slider(key, c["new"]), "value")
        self.sizing.observe(lambda c: self._set_sizing(c["new"]), "value")
        self.hobby.observe(lambda c: self._set_hobby(c["new"]), "value")
        self.stack_picker.observe(lambda c: self.set_stack(c["new"]), "value")
        self.path_button.on_click(lambda _b: self._load_file(self.path_box.value.strip()))
        if stack in preset_names():
            self._muted = True
            self.stack_picker.value = stack
            self._muted = False
        self.set_stack(stack, values)
        if query:
            self.apply_query(query)

    @property
    def stack(self) -> Stack | None:
        return self.state.stack if self.state else None

    @property
    def stack_name(self) -> str:
        return self.state.stack_name if self.state else ""

    # -- state <-> widgets -----------------------------------------------------------------
    def _set_slider(self, key: str, value: float) -> None:
        if self.state is not None and not self._muted:
            self.state.sliders[key] = float(value)
            self.refresh()

    def _set_sizing(self, sizing: str) -> None:
        if self.state is not None and not self._muted:
            self.state.sizing = sizing
            self.refresh()

    def _set_hobby(self, allow: bool) -> None:
        if self.state is not None and not self._muted:
            self.state.allow_hobby = bool(allow)
            self.refresh()

    def _show_state(self) -> None:
        """Move every widget to the state's values, without refreshing once per widget."""
        self._muted = True
        try:
            for key, value in self.state.sliders.items():
                show_value(self.sliders[key], key, value)
            self.sizing.value = self.state.sizing
            self.hobby.value = self.state.allow_hobby
            for box in self.inputs.values():
                box.show()
        finally:
            self._muted = False

    # -- building --------------------------------------------------------------------------
    def set_stack(self, name: str, values: Mapping[str, float | None] | None = None) -> None:
        """Switch to a preset or a stack file; a bad file shows its error next to the picker."""
        if self._muted or not name:
            return
        try:
            stack = load_stack(name, root=self.root)
        except CapkitError as exc:
            self.stack_error.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.stack_error.value = ""
        self.state = Inputs.of(stack, name, values, self.sizing.value)
        self.state.allow_hobby = bool(self.hobby.value)
        self.inputs = {k: AssumptionInput(a, self.refresh) for k, a in self.state.assumptions.items()}
        self.assumptions_box.children = []
        self._fill_assumptions()
        self._show_state()
        self.refresh()

    def _load_file(self, path: str) -> None:
        """Switch to a stack file; once loaded, its path shows in the box and no preset is picked."""
        self.set_stack(path)
        if path and self.stack_name == path:
            self.path_box.value = path
            self._muted = True
            self.stack_picker.value = None
            self._muted = False

    def apply_query(self, query: str) -> None:
        """Set the inputs from a URL query string: ``stack``, ``sizing`` and any workload field.

        Each value is checked like a typed one; what is refused is said on the page, and the
        rest still applies.
        """
        name, fields = parse_query(query)
        if name and name != self.stack_name:
            if name in preset_names():
                self.stack_picker.value = name  # switches the stack through the picker
            else:
                self._load_file(name)
        if self.state is None:
            return
        errors = self.state.apply(fields)
        self._show_state()
        self.refresh()
        if errors:
            self.status.value = _link_error(errors)

    def _fill_assumptions(self) -> None:
        """Make the assumption rows when the panel is first opened (or is open on a new stack)."""
        if self.assumptions.selected_index is not None and not self.assumptions_box.children:
            self.assumptions_box.children = [i.row for i in self.inputs.values()]

    def _download_specs(self) -> dict[str, tuple]:
        """Button label: (file name, MIME type, content), each made when the button is clicked."""

        def name(suffix: str) -> Callable[[], str]:
            return lambda: f"{self.stack.name}-{suffix}"

        return {
            "Plan CSV": (name("plan.csv"), "text/csv", lambda: plan_csv(self.plan)),
            "Plan JSON": (name("plan.json"), "application/json", lambda: plan_json(self.plan)),
            "Charts SVG": (name("charts-svg.zip"), "application/zip", lambda: self.charts_zip("svg")),
            "Charts PNG": (name("charts-png.zip"), "application/zip", lambda: self.charts_zip("png")),
        }

    def scenario_query(self) -> str:
        """The query string that reproduces the current inputs (fields at their default left out)."""
        return self.state.query() if self.state else ""

    def charts_zip(self, fmt: str) -> bytes:
        """The three charts as they are now, as SVG or PNG files in a zip."""
        named = {
            "cost-by-component": self.chart_cost,
            "cost-and-revenue": self.chart_curve,
            "utilization": self.chart_util,
        }
        return _charts_zip({k: v.chart for k, v in named.items() if v.chart is not None}, fmt)

    def values(self) -> dict[str, float]:
        """The current inputs (each assumption at its last valid value)."""
        return self.state.values() if self.state else {}

    def refresh(self) -> None:
        """Recompute and update every output in place: headline first, then tables and charts."""
        if self._muted or self.state is None:
            return
        try:
            wl = self.stack.workload(**self.values())
            scenario = Scenario(self.stack, wl, self.state.sizing, self.state.allow_hobby)
            scenario.adopt_sweeps(self.scenario)
            plan = scenario.plan
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        self.headline.value = headline_html(plan)  # sent at once: the figure the user waits for
        self.scenario, self.plan = scenario, plan
        self.load_table.value = load_html(plan)
        self.components.value = components_html(plan)
        self.notes.value = notes_html(plan)
        self.link.value = scenario_link(self.scenario_query())
        ranges = self.state.ranges()
        band = scenario.band(300, 0, ranges) if ranges else None
        self.table = scenario.table
        self.chart_cost.chart, self.chart_curve.chart, self.chart_util.chart = scenario.charts(band).values()

    @property
    def widget(self) -> w.Widget:
        """The whole app: picker and headline on top, inputs left, charts right, tables below."""
        picker = w.HBox([self.stack_picker, self.path_box, self.path_button])
        inputs = w.VBox(
            [*self.sliders.values(), self.assumptions],
            layout=w.Layout(width="560px", min_width="560px"),
        )
        root = w.VBox(
            [
                w.HTML(CSS),
                picker,
                self.stack_error,
                self.status,
                w.HBox([self.sizing, self.hobby], layout=w.Layout(align_items="center")),
                self.headline,
                w.HBox([self.downloads, self.link], layout=w.Layout(align_items="center")),
                w.HBox([inputs, self.chart_column]),
                w.HTML("<h4>Load against every limit</h4>"),
                self.load_table,
                w.HTML("<h4>Cost by component</h4>"),
                self.components,
                self.notes,
                self.session,
            ]
        )
        root.add_class("capkit-planner")
        return root


class Compare:
    """Two to four stacks on one business workload: a row per stack and their cost curves.

    The business inputs (users, calls per user, conversion, price) are the same for every
    stack; each keeps its own technical assumptions. Stacks are loaded once per choice.
    """

    def __init__(
        self,
        stacks: list[str] | None = None,
        users: float = 100_000,
        calls_per_user: float | None = None,
        conversion_rate: float | None = None,
        price_usd: float | None = None,
        query: str = "",
    ):
        names = preset_names()
        business = business_values(
            {
                k: v
                for k, v in {
                    "calls_per_user": calls_per_user,
                    "conversion_rate": conversion_rate,
                    "price_usd": price_usd,
                }.items()
                if v is not None
            }
        )
        self.picker = w.SelectMultiple(
            options=names,
            value=tuple(stacks or names),
            rows=len(names),
            description="Stacks",
            tooltip="choose two to four",
        )
        self.sliders = {k: slider(k, {**business, "users": users}[k]) for k in SLIDERS}
        self.sizing = _sizing_toggle()
        self.hobby = _hobby_box()
        self.table = w.HTML()
        self.workload = w.HTML()
        self.status = w.HTML()
        self.link = w.HTML()
        self.chart = ChartView("capkit-chart-compare")
        self._stacks: dict[str, Stack] = {}
        self._muted = False
        for widget in (self.picker, *self.sliders.values(), self.sizing, self.hobby):
            widget.observe(lambda _c: self.refresh(), "value")
        self.refresh()
        if query:
            self.apply_query(query)

    def scenario_query(self) -> str:
        """The query string that reopens this page on the current stacks and inputs."""
        values: dict[str, object] = {"stacks": ",".join(self.picker.value), "sizing": self.sizing.value}
        if self.hobby.value:
            values["allow_hobby"] = "1"
        return page_link({**values, **self.values()})

    def apply_query(self, query: str) -> None:
        """Set the stacks and inputs from a URL query string (``stacks`` a comma list of presets,
        ``sizing``, ``allow_hobby`` and the business sliders), checked like the planner's link."""
        fields, errors = page_fields(
            query,
            {k: UNIVERSAL[k] for k in SLIDERS},
            {"stacks": None, "sizing": SIZINGS, "allow_hobby": tuple(FLAG_WORDS)},
        )
        self._muted = True
        try:
            if "stacks" in fields:
                names = [n.strip() for n in str(fields["stacks"]).split(",") if n.strip()]
                unknown = [n for n in names if n not in self.picker.options]
                if unknown:
                    errors.append(
                        f"stacks: {', '.join(unknown)} not a preset; presets: {', '.join(self.picker.options)}"
                    )
                else:
                    self.picker.value = tuple(names)
            if "sizing" in fields:
                self.sizing.value = fields["sizing"]
            if "allow_hobby" in fields:
                self.hobby.value = parse_flag("allow_hobby", str(fields["allow_hobby"]))
            for key in SLIDERS:
                if key in fields:
                    show_value(self.sliders[key], key, float(fields[key]))
        finally:
            self._muted = False
        self.refresh()
        if errors:
            self.status.value = _link_error(errors)

    def values(self) -> dict[str, float]:
        """The business inputs as set."""
        return {k: s.value for k, s in self.sliders.items()}

    def _stack(self, name: str) -> Stack:
        if name not in self._stacks:
            self._stacks[name] = load_stack(name)
        return self._stacks[name]

    def refresh(self) -> None:
        if self._muted:
            return
        chosen = list(self.picker.value)
        try:
            c = comparison(
                [self._stack(n) for n in chosen], self.values(), self.sizing.value, allow_hobby=self.hobby.value
            )
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        self.workload.value = workload_html(c.workload)
        self.table.value = compare_html(c.frame)
        self.link.value = scenario_link(self.scenario_query())
        self.chart.chart = charts.compare_costs(
            {n: sc.table for n, sc in c.scenarios.items()}, self.sliders["users"].value
        )

    @property
    def widget(self) -> w.Widget:
        sliders = w.VBox([*self.sliders.values(), self.sizing, self.hobby])
        root = w.VBox(
            [
                w.HTML(CSS),
                w.HBox([self.picker, sliders]),
                self.status,
                self.link,
                self.table,
                self.workload,
                self.chart.widget,
            ]
        )
        root.add_class("capkit-compare-app")
        return root


# --- analysis -------------------------------------------------------------------------------
class Analysis:
    """Roadmap, uncertainty and latency of one stack, with its inputs: stack, users today,
    monthly growth, latency target and Monte Carlo draws.

    The headline (the planner's cards) and the roadmap's table come at once; the roadmap's
    chart, the cost band, the tornado and the latency curves follow from a background thread,
    so the page shows its first figures while the slower sections compute.
    """

    #: One worker per kernel for the slower sections; a newer input makes a pending run moot.
    _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capkit-analysis")

    def __init__(
        self,
        stack: str = "render-postgres",
        users: float | None = None,
        growth_rate_monthly: float = 0.1,
        latency_target_ms: float = 500.0,
        draws: int = 1000,
        seed: int = 0,
        assumptions: Mapping[str, float] | None = None,
        root: Path | str | None = None,
        query: str = "",
    ):
        self.root, self.seed, self.assumptions = root, seed, dict(assumptions or {})
        names = preset_names()
        self.stack_picker = w.Dropdown(
            options=names if stack in names else [*names, stack],
            value=stack,
            description="Stack",
            style={"description_width": "110px"},
        )
        first = load_stack(stack, root=root)
        self.users = slider("users", float(users if users is not None else first.specs["users"].default), "Users today")
        self.growth = slider("growth_rate_monthly", growth_rate_monthly)
        self.target = slider("latency_target_ms", latency_target_ms)
        self.draws = w.Dropdown(
            options=[100, 300, 1000, 3000, 10000],
            value=draws,
            description="Draws",
            style={"description_width": "110px"},
        )
        self.status = w.HTML()
        self.link = w.HTML()
        self.headline, self.roadmap, self.uncertainty, self.latency = (w.VBox() for _ in range(4))
        self.headline.add_class("capkit-analysis-headline")
        self.roadmap.add_class("capkit-analysis-roadmap")
        self.uncertainty.add_class("capkit-analysis-uncertainty")
        self.latency.add_class("capkit-analysis-latency")
        #: The sections now shown, by name (their HTML and charts; static output reads them).
        self.sections: dict[str, Any] = {}
        self._generation = 0
        self._muted = False
        self._pending: Future | None = None
        for widget in (self.stack_picker, self.users, self.growth, self.target, self.draws):
            widget.observe(lambda _c: self.refresh(), "value")
        self.refresh()
        if query:
            self.apply_query(query)

    def report(self) -> Report:
        """The report sections for the current inputs (the scenario right-sized)."""
        from capkit.report import Report

        stack = load_stack(self.stack_picker.value, root=self.root)
        values = {**self.assumptions, "users": self.users.value}
        scenario = Scenario.of(stack, {k: v for k, v in values.items() if k in stack.specs})
        return Report.of(scenario, self.growth.value)

    def _show(self, name: str, box: w.VBox, section: Any) -> None:
        """A report section in its box: its text as HTML, each chart drawn by vega in the page."""
        self.sections[name] = section
        box.children = [
            w.HTML(part) if isinstance(part, str) else ChartView(f"capkit-chart-{name}", part).widget
            for part in section.parts
        ]

    def refresh(self) -> None:
        """Headline and roadmap now; the cost band and latency in the background."""
        from capkit.report import _Html

        if self._muted:
            return
        self._generation += 1
        generation = self._generation
        try:
            report = self.report()
            self._show("headline", self.headline, report.headline())
            self._show("roadmap", self.roadmap, report.roadmap_html(chart=False))  # its chart follows
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        self.link.value = scenario_link(self.scenario_query())
        waiting = "<p class='capkit-unit capkit-pending'>Computing...</p>"
        self._show("uncertainty", self.uncertainty, _Html("<h2>Uncertainty</h2>" + waiting))
        self._show("latency", self.latency, _Html("<h2>Latency</h2>" + waiting))
        draws, target = int(self.draws.value), float(self.target.value)

        def slower() -> None:
            if generation != self._generation:
                return
            try:
                road = report.roadmap_html()
                if generation == self._generation:
                    self._show("roadmap", self.roadmap, road)
                band = report.uncertainty_html(draws=draws, seed=self.seed)
                delay = report.latency_html(target_ms=target)
            except CapkitError as exc:
                band = delay = _Html(f"<span class='capkit-error'>{html.escape(str(exc))}</span>")
            if generation == self._generation:
                self._show("uncertainty", self.uncertainty, band)
                self._show("latency", self.latency, delay)

        self._pending = self._worker.submit(slower)

    def scenario_query(self) -> str:
        """The query string that reopens this page on the current inputs (see :func:`page_link`)."""
        return page_link(
            {
                "stack": self.stack_picker.value,
                "users": self.users.value,
                "growth_rate_monthly": self.growth.value,
                "latency_target_ms": self.target.value,
                "draws": self.draws.value,
            }
        )

    def apply_query(self, query: str) -> None:
        """Set the inputs from a URL query string (``stack``, ``users``, ``growth_rate_monthly``,
        ``latency_target_ms``, ``draws``), each checked like a typed value; what is refused is
        said on the page and the rest applies."""
        numbers = {"users": UNIVERSAL["users"], **PAGE_SPECS}  # a stack changes users' default, not its range
        fields, errors = page_fields(query, numbers, {"stack": None, "draws": tuple(map(str, self.draws.options))})
        name = fields.pop("stack", None)
        self._muted = True
        try:
            if name and name != self.stack_picker.value:
                try:
                    load_stack(name, root=self.root)
                    if name not in self.stack_picker.options:
                        self.stack_picker.options = [*self.stack_picker.options, name]
                    self.stack_picker.value = name
                except CapkitError as exc:
                    errors.append(str(exc))
            if "draws" in fields:
                self.draws.value = int(str(fields.pop("draws")))
            for key, widget in (
                ("users", self.users),
                ("growth_rate_monthly", self.growth),
                ("latency_target_ms", self.target),
            ):
                if key in fields:
                    show_value(widget, key, float(fields[key]))
        finally:
            self._muted = False
        self.refresh()
        if errors:
            self.status.value = _link_error(errors)

    def wait(self) -> None:
        """Block until the slower sections are shown (tests, static output)."""
        if self._pending is not None:
            self._pending.result()

    @property
    def widget(self) -> w.Widget:
        inputs = w.VBox([self.stack_picker, self.users, self.growth, self.target, self.draws])
        root = w.VBox(
            [w.HTML(CSS), inputs, self.status, self.link, self.headline, self.roadmap, self.uncertainty, self.latency]
        )
        root.add_class("capkit-analysis")
        return root


# --- what the notebooks call ----------------------------------------------------------------
def planner(
    stack: str = "aws-serverless", interactive: bool = True, query: str = "", **values: float | None
) -> w.Widget | None:
    """The planner for a notebook cell: widgets, or static HTML and SVG when not interactive.

    ``query`` is the page's URL query string (see :func:`page_query`): it overrides the inputs.
    """
    if interactive:
        return Planner(stack, query=query, root=stack_root(), **values).widget
    sc = Scenario.of(stack, {k: v for k, v in values.items() if v is not None})
    display(HTML(CSS + f"<h3>{html.escape(sc.stack.title)}</h3>" + headline_html(sc.plan)))
    for chart in sc.charts().values():
        display(HTML(charts.to_img_html(chart)))
    display(HTML(load_html(sc.plan) + components_html(sc.plan) + notes_html(sc.plan)))
    return None


def compare(stacks: list[str] | None = None, interactive: bool = True, **values: float | None) -> w.Widget | None:
    """The compare view for a notebook cell: one business workload, right-sized."""
    if interactive:
        return Compare(stacks, query=page_query(), **values).widget
    c = comparison(stacks or preset_names(), {k: v for k, v in values.items() if v is not None})
    display(HTML(CSS + compare_html(c.frame) + workload_html(c.workload)))
    users = next(iter(c.scenarios.values())).users
    display(HTML(charts.to_img_html(charts.compare_costs({n: sc.table for n, sc in c.scenarios.items()}, users))))
    return None


def compare_html(frame: pandas.DataFrame) -> str:
    """The compare rows in the one table style, stacks kept on one line."""
    return html_table(compare_table(frame), "capkit-compare", names=["stack"])


def workload_html(shared: SharedWorkload) -> str:
    """The business workload every stack was priced on, where each value comes from, and the
    values a stack declared that it replaced."""
    replaced = "".join(f"<li>{html.escape(r)}</li>" for r in shared.replaced)
    return (
        "<h4>The business workload every stack is priced on</h4>"
        + html_table(shared.table(), "capkit-compare-workload", names=["business input"])
        + (
            f"<p class='capkit-unit'>Replaced by the shared workload:</p><ul class='capkit-unit'>{replaced}</ul>"
            if replaced
            else ""
        )
    )


def analysis(stack: str = "render-postgres", interactive: bool = True, **inputs: object) -> w.Widget | None:
    """The analysis page for a notebook cell: widgets, or its sections as static HTML.

    ``inputs`` are :class:`Analysis`'s (users, growth_rate_monthly, latency_target_ms, draws,
    seed, assumptions); stack files come from the folder ``capkit app`` serves."""
    page = Analysis(stack, root=stack_root(), query=page_query() if interactive else "", **inputs)
    if interactive:
        return page.widget
    page.wait()
    display(HTML(CSS + "".join(page.sections[k].markup for k in ("headline", "roadmap", "uncertainty", "latency"))))
    return None
