"""The planner, compare and analysis apps: ipywidgets over one shared Scenario.

``Planner``, ``Compare`` and ``Analysis`` hold the widgets and update every output in place
when an input moves. Their charts are drawn by vega in the browser (``ChartView`` over
:class:`capkit.widgets.VegaChart`); the kernel only fills each chart's data. ``planner(...)``,
``compare(...)`` and ``analysis(...)`` are what the notebooks call; with ``interactive=False``
they display static HTML and SVG instead of widgets, for exported HTML. The server side
(``capkit app``) lives in :mod:`capkit.serve` and :mod:`capkit.server`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import os
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

if TYPE_CHECKING:
    import altair as alt

    from capkit.report import Report

from capkit.serve import FAST_START_ENV, STACK_ROOT_ENV, skip_iri_grammar

if os.environ.get(FAST_START_ENV) == "1":
    skip_iri_grammar()

import ipywidgets as w
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from capkit import charts, vega
from capkit.analysis.uncertainty import simulate_curve
from capkit.errors import CapkitError
from capkit.export import plan_csv, plan_json
from capkit.growth import assumed_growth
from capkit.scenario import USER_LEVELS, Scenario, business_values, compare_row, compare_scenarios, compare_table
from capkit.sizing import SIZINGS
from capkit.stack import Stack, load_stack, preset_names
from capkit.tables import CSS, components_html, headline_html, load_html, notes_html
from capkit.widgets import Download, SessionWatch, VegaChart
from capkit.workload import UNIVERSAL, AssumptionSpec, check_range, parse_value

#: The users slider spans the charts' user levels.
USERS_MIN, USERS_MAX = float(USER_LEVELS[0]), float(USER_LEVELS[-1])
#: The universal fields that get their own slider; the rest go to the assumptions panel.
SLIDERS = ("users", "calls_per_user", "conversion_rate", "price_usd")


class ChartView:
    """An altair chart in the page: drawn by vega in the browser from its spec (VegaChart), so
    the kernel only builds the spec; an input change sends the new spec. Where the page cannot
    load capkit's chart library (a server without capkit's route), the chart becomes an SVG
    image drawn in the kernel by vl-convert, imported only then. Setting ``chart`` redraws."""

    def __init__(self, chart: alt.TopLevelMixin, css_class: str):
        self._chart = chart
        self._vega = VegaChart(_spec(chart), vega.bundle_name(), on_missing=self._as_image)
        self._image: w.HTML | None = None
        self.widget = w.Box([self._vega], layout=w.Layout(min_height="120px"))
        self.widget.add_class(css_class)

    @property
    def chart(self) -> alt.TopLevelMixin:
        return self._chart

    @chart.setter
    def chart(self, chart: alt.TopLevelMixin) -> None:
        self._chart = chart
        if self._image is not None:
            self._image.value = charts.to_img_html(chart)
        else:
            self._vega.spec = _spec(chart)

    def _as_image(self, _error: str) -> None:
        """The page has no chart library: draw in the kernel from now on."""
        if self._image is None:
            self._image = w.HTML(charts.to_img_html(self._chart))
            self.widget.children = [self._image]


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


# --- the planner ----------------------------------------------------------------------------
def _slider(kind: type[w.Widget], description: str, **kwargs: object) -> w.Widget:
    """A slider in the planner's style: updates on release, labels and widths aligned."""
    return kind(
        description=description,
        continuous_update=False,
        style={"description_width": "110px"},
        layout=w.Layout(width="520px"),
        **kwargs,
    )


def users_slider(value: float, description: str = "Users (DAU)") -> w.FloatLogSlider:
    """Daily active users on a log scale over the charts' levels."""
    slider = _slider(
        w.FloatLogSlider,
        description,
        base=10,
        min=math.log10(USERS_MIN),
        max=math.log10(USERS_MAX),
        step=0.01,
        readout_format=",.0f",
        value=value,
    )
    slider.add_class("capkit-users")
    return slider


def business_sliders(values: Mapping[str, float]) -> dict[str, w.Widget]:
    """The sliders of the universal business inputs, keyed by workload field (see SLIDERS)."""
    return {
        "users": users_slider(values["users"]),
        "calls_per_user": _slider(
            w.FloatLogSlider,
            "Calls/user/day",
            base=10,
            min=-1,
            max=4,
            step=0.01,
            readout_format=",.4g",
            value=values["calls_per_user"],
        ),
        "conversion_rate": _slider(
            w.FloatSlider,
            "Conversion",
            min=0,
            max=1,
            step=0.005,
            readout_format=".1%",
            value=values["conversion_rate"],
        ),
        "price_usd": _slider(
            w.FloatSlider,
            "Price USD/mo",
            min=0,
            max=max(100.0, 2 * values["price_usd"]),
            step=0.01,
            value=values["price_usd"],
        ),
    }


class AssumptionInput:
    """One assumption: a box for a number or a range low:likely:high, with its unit, allowed
    values and meaning, and its own error message.

    The widgets are made on first use (``row``): a closed assumptions panel costs the page no
    widget models, which is most of what a page has to render. Until then the value is held
    and checked here.
    """

    def __init__(self, key: str, spec: AssumptionSpec, value: float, on_valid: Callable[[], None]):
        self.key, self.spec, self.valid_value = key, spec, float(value)
        self.valid_range: tuple[float, float, float] | None = None
        self.text, self.message = f"{value:g}", ""
        self._on_valid = on_valid
        self._row: w.Widget | None = None

    @property
    def row(self) -> w.Widget:
        if self._row is None:
            spec = self.spec
            self._box = w.Text(
                value=self.text,
                description=self.key,
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
        return f"<span class='capkit-error'>{html.escape(self.message)}</span>" if self.message else ""

    def set_text(self, text: str) -> None:
        """Check ``text`` (a number or low:likely:high, within the assumption's range); keep it if
        valid, else show why next to the box."""
        self.text = text
        if self._row is not None and self._box.value != text:
            self._box.value = text  # comes back here through the observer
            return
        try:
            value, spread = parse_value(self.key, text)
            for number in spread or (value,):
                check_range(self.key, np.atleast_1d(number), self.spec)
        except CapkitError as exc:
            self.message = str(exc)
        else:
            self.message = ""
            self.valid_value = value
            self.valid_range = spread
        if self._row is not None:
            self._error.value = self._error_html()
        if not self.message:
            self._on_valid()


class Planner:
    """The planner: stack picker, sliders, assumptions panel, headline, tables and charts."""

    def __init__(
        self, stack: str = "aws-serverless", query: str = "", root: Path | str | None = None, **values: float | None
    ):
        self._muted = False
        self.root = root
        self.stack_picker = w.Dropdown(options=preset_names(), description="Stack", style={"description_width": "60px"})
        self.path_box = w.Text(placeholder="or a stack YAML path", layout=w.Layout(width="260px"))
        self.path_button = w.Button(description="Load file", layout=w.Layout(width="90px"))
        self.stack_error = w.HTML("")
        sliders = business_sliders({k: UNIVERSAL[k].default for k in SLIDERS})
        self.users, self.calls, self.conversion, self.price = (sliders[k] for k in SLIDERS)
        self.sizing = _sizing_toggle()
        self.assumptions_box = w.VBox()
        self.assumptions = w.Accordion(children=[self.assumptions_box], titles=("Assumptions",))
        self.assumptions.add_class("capkit-assumptions")
        self.assumptions.observe(lambda _c: self._fill_assumptions(), "selected_index")
        self.status = w.HTML("")
        self.headline = w.HTML()
        self.load_table = w.HTML()
        self.components = w.HTML()
        self.notes = w.HTML()
        self.chart_cost = self.chart_curve = self.chart_util = None
        self.chart_column = w.VBox([], layout=w.Layout(overflow="auto"))  # filled by the first refresh
        self.scenario: Scenario | None = None
        self.inputs: dict[str, AssumptionInput] = {}
        self.stack: Stack | None = None
        self.stack_name = ""
        self.link = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.downloads = w.HBox([Download(label, *spec) for label, spec in self._download_specs().items()])
        self.downloads.add_class("capkit-downloads")
        self.session = SessionWatch()
        for slider in (self.users, self.calls, self.conversion, self.price, self.sizing):
            slider.observe(lambda _c: self.refresh(), "value")
        self.stack_picker.observe(lambda c: self.set_stack(c["new"]), "value")
        self.path_button.on_click(lambda _b: self.set_stack(self.path_box.value.strip()))
        if stack in preset_names():
            self._muted = True
            self.stack_picker.value = stack
            self._muted = False
        self.set_stack(stack, values)
        if query:
            self.apply_query(query)

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
        self.stack, self.stack_name = stack, name
        values = {k: v for k, v in (values or {}).items() if v is not None}
        specs = stack.specs
        self._muted = True
        try:
            for slider, key in (
                (self.users, "users"),
                (self.calls, "calls_per_user"),
                (self.conversion, "conversion_rate"),
                (self.price, "price_usd"),
            ):
                value = float(values.get(key, specs[key].default))
                if isinstance(slider, w.FloatSlider):
                    slider.max = max(slider.max, value * 2, 1.0)
                slider.value = value
            self.inputs = {
                key: AssumptionInput(key, spec, float(values.get(key, spec.default)), self.refresh)
                for key, spec in specs.items()
                if key not in SLIDERS
            }
            self.assumptions_box.children = []
            self._fill_assumptions()
        finally:
            self._muted = False
        self.refresh()

    def apply_query(self, query: str) -> None:
        """Set the inputs from a URL query string: ``stack`` and any workload field.

        Each value is checked like a typed one; what is refused is said on the page, and the
        rest still applies.
        """
        params = {k: v[-1].strip() for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
        name = params.pop("stack", "")
        sizing = params.pop("sizing", None)
        if name and name != self.stack_name:
            if name in preset_names():
                self.stack_picker.value = name  # switches the stack through the picker
            else:
                self.set_stack(name)
        errors = []
        sliders = self._sliders()
        self._muted = True
        try:
            for key, text in params.items():
                if key in sliders:
                    try:
                        value = float(text)
                        check_range(key, np.atleast_1d(value), self.stack.specs[key])
                        slider = sliders[key]
                        low, high = _slider_range(slider)
                        if not low <= value <= high:
                            raise CapkitError(f"{key} = {text} is outside the slider's {low:,.6g} to {high:,.6g}")
                        slider.value = value
                    except (ValueError, CapkitError) as exc:
                        errors.append(str(exc) if isinstance(exc, CapkitError) else f"{key} = {text!r} is not a number")
                elif key in self.inputs:
                    box = self.inputs[key]
                    box.set_text(text)  # checked there; a refusal shows next to its box and here
                    if box.message:
                        errors.append(box.message)
                else:
                    errors.append(f"{key!r} is not a field of stack {self.stack.name}")
            if sizing is not None:
                if sizing in SIZINGS:
                    self.sizing.value = sizing
                else:
                    errors.append(f"sizing = {sizing!r} is not one of: {', '.join(SIZINGS)}")
        finally:
            self._muted = False
        self.refresh()
        if errors:
            message = "In the link: " + "; ".join(errors)
            self.status.value = f"<span class='capkit-error capkit-link-error'>{html.escape(message)}</span>"

    def _fill_assumptions(self) -> None:
        """Make the assumption rows when the panel is first opened (or is open on a new stack)."""
        if self.assumptions.selected_index is not None and not self.assumptions_box.children:
            self.assumptions_box.children = [i.row for i in self.inputs.values()]

    def _sliders(self) -> dict[str, w.Widget]:
        return dict(zip(SLIDERS, (self.users, self.calls, self.conversion, self.price), strict=True))

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
        pairs = [("stack", self.stack_name), ("sizing", self.sizing.value)]
        for key, slider in self._sliders().items():
            pairs.append((key, f"{slider.value:.10g}"))
        for key, box in self.inputs.items():
            lo_mid_hi = box.valid_range
            if lo_mid_hi:
                pairs.append((key, ":".join(f"{v:.10g}" for v in lo_mid_hi)))
            elif box.valid_value != box.spec.default:
                pairs.append((key, f"{box.valid_value:.10g}"))
        return urlencode(pairs, safe=":/")

    def charts_zip(self, fmt: str) -> bytes:
        """The three charts as they are now, as SVG or PNG files in a zip."""
        named = {
            "cost-by-component": self.chart_cost,
            "cost-and-revenue": self.chart_curve,
            "utilization": self.chart_util,
        }
        return _charts_zip({k: v.chart for k, v in named.items() if v is not None}, fmt)

    def values(self) -> dict[str, float]:
        """The current inputs (each assumption at its last valid value)."""
        out = {
            "users": self.users.value,
            "calls_per_user": self.calls.value,
            "conversion_rate": self.conversion.value,
            "price_usd": self.price.value,
        }
        out.update({k: i.valid_value for k, i in self.inputs.items()})
        return out

    def refresh(self) -> None:
        """Recompute and update every output in place: headline first, then tables and charts."""
        if self._muted or self.stack is None:
            return
        try:
            wl = self.stack.workload(**self.values())
            scenario = Scenario(self.stack, wl, self.sizing.value)
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
        self.link.value = (
            f"<a class='capkit-scenario-link' href='?{html.escape(self.scenario_query())}' target='_blank'>"
            "Link to this scenario</a> <span class='capkit-unit'>(opens these inputs in a new page)</span>"
        )
        ranges = {k: i.valid_range for k, i in self.inputs.items() if i.valid_range}
        band = simulate_curve(self.stack, wl, USER_LEVELS[::2], n=300, seed=0, ranges=ranges) if ranges else None
        self.table = scenario.table
        new = list(scenario.charts(band).values())
        if self.chart_cost is None:
            self.chart_cost, self.chart_curve, self.chart_util = (
                ChartView(c, f"capkit-chart-{name}") for c, name in zip(new, ("cost", "curve", "util"), strict=True)
            )
            self.chart_column.children = [c.widget for c in (self.chart_cost, self.chart_curve, self.chart_util)]
        else:
            self.chart_cost.chart, self.chart_curve.chart, self.chart_util.chart = new

    @property
    def widget(self) -> w.Widget:
        """The whole app: picker and headline on top, inputs left, charts right, tables below."""
        picker = w.HBox([self.stack_picker, self.path_box, self.path_button])
        inputs = w.VBox(
            [self.users, self.calls, self.conversion, self.price, self.assumptions],
            layout=w.Layout(width="560px", min_width="560px"),
        )
        chart_column = self.chart_column
        root = w.VBox(
            [
                w.HTML(CSS),
                picker,
                self.stack_error,
                self.status,
                self.sizing,
                self.headline,
                w.HBox([self.downloads, self.link], layout=w.Layout(align_items="center")),
                w.HBox([inputs, chart_column]),
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


def _slider_range(slider: w.Widget) -> tuple[float, float]:
    """The values a slider can show (a log slider's min and max are exponents)."""
    if isinstance(slider, w.FloatLogSlider):
        return slider.base**slider.min, slider.base**slider.max
    return slider.min, slider.max


# --- compare --------------------------------------------------------------------------------
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
        sliders = business_sliders({**business, "users": users})
        self.users, self.calls, self.conversion, self.price = (sliders[k] for k in SLIDERS)
        self.sizing = _sizing_toggle()
        self.table = w.HTML()
        self.status = w.HTML()
        self.chart: ChartView | None = None
        self.chart_box = w.VBox([])
        self._stacks: dict[str, Stack] = {}
        for widget in (self.picker, self.users, self.calls, self.conversion, self.price, self.sizing):
            widget.observe(lambda _c: self.refresh(), "value")
        self.refresh()

    def values(self) -> dict[str, float]:
        """The business inputs as set."""
        return {
            "users": self.users.value,
            "calls_per_user": self.calls.value,
            "conversion_rate": self.conversion.value,
            "price_usd": self.price.value,
        }

    def _stack(self, name: str) -> Stack:
        if name not in self._stacks:
            self._stacks[name] = load_stack(name)
        return self._stacks[name]

    def refresh(self) -> None:
        chosen = list(self.picker.value)
        try:
            scenarios = compare_scenarios([self._stack(n) for n in chosen], self.values(), self.sizing.value)
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc).removeprefix('--stacks: '))}</span>"
            return
        self.status.value = ""
        frame = pd.DataFrame([compare_row(n, sc) for n, sc in scenarios.items()])
        self.table.value = compare_table(frame).to_html(index=False, classes="capkit-table capkit-compare", border=0)
        chart = charts.compare_costs({n: sc.table for n, sc in scenarios.items()}, self.users.value)
        if self.chart is None:
            self.chart = ChartView(chart, "capkit-chart-compare")
            self.chart_box.children = [self.chart.widget]
        else:
            self.chart.chart = chart

    @property
    def widget(self) -> w.Widget:
        sliders = w.VBox([self.users, self.calls, self.conversion, self.price, self.sizing])
        root = w.VBox([w.HTML(CSS), w.HBox([self.picker, sliders]), self.status, self.table, self.chart_box])
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
        self.users = users_slider(float(users if users is not None else first.specs["users"].default), "Users today")
        self.growth = _slider(
            w.FloatSlider,
            "Growth/month",
            min=-0.5,
            max=1.0,
            step=0.005,
            readout_format=".1%",
            value=growth_rate_monthly,
        )
        self.target = _slider(
            w.FloatLogSlider,
            "Latency target ms",
            base=10,
            min=1,
            max=4,
            step=0.01,
            readout_format=",.0f",
            value=latency_target_ms,
        )
        self.draws = w.Dropdown(
            options=[100, 300, 1000, 3000, 10000],
            value=draws,
            description="Draws",
            style={"description_width": "110px"},
        )
        self.status = w.HTML()
        self.headline, self.roadmap, self.uncertainty, self.latency = (w.HTML() for _ in range(4))
        self.headline.add_class("capkit-analysis-headline")
        self.roadmap.add_class("capkit-analysis-roadmap")
        self.uncertainty.add_class("capkit-analysis-uncertainty")
        self.latency.add_class("capkit-analysis-latency")
        self._generation = 0
        self._pending: Future | None = None
        for widget in (self.stack_picker, self.users, self.growth, self.target, self.draws):
            widget.observe(lambda _c: self.refresh(), "value")
        self.refresh()

    def report(self) -> Report:
        """The report sections for the current inputs (the scenario right-sized)."""
        from capkit.report import Report

        stack = load_stack(self.stack_picker.value, root=self.root)
        values = {**self.assumptions, "users": self.users.value}
        scenario = Scenario.of(stack, {k: v for k, v in values.items() if k in stack.specs})
        growth = assumed_growth(scenario.users, self.growth.value, dt.date.today())
        return Report(scenario, growth, stack.title, dt.date.today())

    def refresh(self) -> None:
        """Headline and roadmap now; the cost band and latency in the background."""
        self._generation += 1
        generation = self._generation
        try:
            report = self.report()
            self.headline.value = report.headline().markup
            self.roadmap.value = report.roadmap_html(chart=False).markup  # its chart follows
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        waiting = "<p class='capkit-unit capkit-pending'>Computing...</p>"
        self.uncertainty.value, self.latency.value = "<h2>Uncertainty</h2>" + waiting, "<h2>Latency</h2>" + waiting
        draws, target = int(self.draws.value), float(self.target.value)

        def slower() -> None:
            if generation != self._generation:
                return
            try:
                road = report.roadmap_html().markup
                if generation == self._generation:
                    self.roadmap.value = road
                band = report.uncertainty_html(draws=draws, seed=self.seed).markup
                delay = report.latency_html(target_ms=target).markup
            except CapkitError as exc:
                band = delay = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            if generation == self._generation:
                self.uncertainty.value, self.latency.value = band, delay

        self._pending = self._worker.submit(slower)

    def wait(self) -> None:
        """Block until the slower sections are shown (tests, static output)."""
        if self._pending is not None:
            self._pending.result()

    @property
    def widget(self) -> w.Widget:
        inputs = w.VBox([self.stack_picker, self.users, self.growth, self.target, self.draws])
        root = w.VBox([w.HTML(CSS), inputs, self.status, self.headline, self.roadmap, self.uncertainty, self.latency])
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
        return Compare(stacks, **values).widget
    scenarios = compare_scenarios(stacks or preset_names(), {k: v for k, v in values.items() if v is not None})
    frame = pd.DataFrame([compare_row(n, sc) for n, sc in scenarios.items()])
    display(HTML(CSS + compare_table(frame).to_html(index=False, classes="capkit-table capkit-compare", border=0)))
    users = next(iter(scenarios.values())).users
    display(HTML(charts.to_img_html(charts.compare_costs({n: sc.table for n, sc in scenarios.items()}, users))))
    return None


def analysis(
    stack: str = "render-postgres",
    interactive: bool = True,
    users: float | None = None,
    growth_rate_monthly: float = 0.1,
    latency_target_ms: float = 500.0,
    draws: int = 1000,
    seed: int = 0,
    assumptions: Mapping[str, float] | None = None,
) -> w.Widget | None:
    """The analysis page for a notebook cell: widgets, or its sections as static HTML."""
    page = Analysis(stack, users, growth_rate_monthly, latency_target_ms, draws, seed, assumptions, stack_root())
    if interactive:
        return page.widget
    page.wait()
    display(HTML(CSS + page.headline.value + page.roadmap.value + page.uncertainty.value + page.latency.value))
    return None
