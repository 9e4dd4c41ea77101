"""The planner and compare apps: ipywidgets built from the engine and the chart builders.

``Planner`` and ``Compare`` hold the widgets and update every output in place when an input
moves. ``planner(...)`` and ``compare(...)`` are what the notebooks call; with
``interactive=False`` they display static HTML and SVG instead of widgets, for exported HTML.
The server side (``capkit app``) lives in :mod:`capkit.serve`.
"""

from __future__ import annotations

import html
import io
import math
import os
import time
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from capkit.serve import FAST_START_ENV, STACK_ROOT_ENV, skip_iri_grammar

if os.environ.get(FAST_START_ENV) == "1":
    skip_iri_grammar()

import altair as alt  # noqa: E402
import ipywidgets as w
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from capkit import charts
from capkit.analysis.uncertainty import simulate_curve
from capkit.engine import evaluate, sweep
from capkit.errors import CapkitError
from capkit.export import plan_csv, plan_json
from capkit.stack import Stack, load_stack, preset_names
from capkit.tables import CSS, components_html, headline_figures, headline_html, load_html, notes_html
from capkit.widgets import Download, SessionWatch
from capkit.workload import AssumptionSpec, check_range, parse_settings

#: The users slider spans the charts' user levels.
USERS_MIN, USERS_MAX = float(charts.USER_LEVELS[0]), float(charts.USER_LEVELS[-1])
#: The universal fields that get their own slider; the rest go to the assumptions panel.
SLIDERS = ("users", "calls_per_user", "conversion_rate", "price_usd")


#: Charts are redrawn once the inputs have been still this long (s).
SETTLE_S = 0.25


class ChartImage:
    """An altair chart shown as an SVG image in an HTML widget.

    The kernel renders it with vl-convert, so the page needs no chart library: nothing to load
    (offline by construction) and no JavaScript module per chart. An earlier version used
    ``alt.JupyterChart``, whose 0.9 MB vega module each chart's model carries; with several
    pages opening at once a module could miss anywidget's 2 s start-up limit, and the whole
    planner then failed to render. Setting ``chart`` redraws.
    """

    #: One renderer thread per kernel: the kernel answers the next input while a chart renders.
    _renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capkit-chart")

    def __init__(self, chart: alt.TopLevelMixin, css_class: str):
        self.widget = w.HTML(layout=w.Layout(min_height="120px"))
        self.widget.add_class(css_class)
        self._generation = 0
        self._chart = chart
        self.widget.value = charts.to_img_html(chart)  # the first drawing is part of the page

    @property
    def chart(self) -> alt.TopLevelMixin:
        return self._chart

    @chart.setter
    def chart(self, chart: alt.TopLevelMixin) -> None:
        """Redraw in the background; a drawing overtaken by a newer chart is dropped."""
        self._chart = chart
        self._generation += 1
        generation = self._generation

        def draw() -> None:
            # Wait for the inputs to settle: a newer change makes this drawing moot, and the
            # kernel stays free to answer it (vl-convert holds the interpreter while it draws).
            if generation != self._generation:
                return
            time.sleep(SETTLE_S)
            if generation == self._generation:
                markup = charts.to_img_html(chart)
                if generation == self._generation:
                    self.widget.value = markup

        self._renderer.submit(draw)


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
            spec = chart.to_dict()
            data = vlc.vegalite_to_svg(spec).encode() if fmt == "svg" else vlc.vegalite_to_png(spec, scale=2)
            z.writestr(f"{name}.{fmt}", data)
    return buffer.getvalue()


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
        """Check ``text`` like the CLI's --set; keep it if valid, else show why next to the box."""
        self.text = text
        if self._row is not None and self._box.value != text:
            self._box.value = text  # comes back here through the observer
            return
        try:
            values, ranges = parse_settings([f"{self.key}={text.strip()}"])
            for number in ranges.get(self.key, (values[self.key],)):
                check_range(self.key, np.atleast_1d(number), self.spec)
        except CapkitError as exc:
            self.message = str(exc).removeprefix("--set ")  # the CLI's check, without its flag
        else:
            self.message = ""
            self.valid_value = values[self.key]
            self.valid_range = ranges.get(self.key)
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
        self.users = _slider(
            w.FloatLogSlider,
            "Users (DAU)",
            base=10,
            min=math.log10(USERS_MIN),
            max=math.log10(USERS_MAX),
            step=0.01,
            readout_format=",.0f",
            value=10_000,
        )
        self.calls = _slider(
            w.FloatLogSlider, "Calls/user/day", base=10, min=-1, max=4, step=0.01, readout_format=",.4g"
        )
        self.conversion = _slider(w.FloatSlider, "Conversion", min=0, max=1, step=0.005, readout_format=".1%")
        self.price = _slider(w.FloatSlider, "Price USD/mo", min=0, max=100, step=0.01)
        self.users.add_class("capkit-users")
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
        self.inputs: dict[str, AssumptionInput] = {}
        self.stack: Stack | None = None
        self.stack_name = ""
        self.link = w.HTML()
        self.downloads = w.HBox([Download(label, *spec) for label, spec in self._download_specs().items()])
        self.downloads.add_class("capkit-downloads")
        self.session = SessionWatch()
        for slider in (self.users, self.calls, self.conversion, self.price):
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
        pairs = [("stack", self.stack_name)]
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
        return _charts_zip({k: v.chart for k, v in named.items()}, fmt)

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
            plan = evaluate(self.stack, wl)
        except CapkitError as exc:
            self.status.value = f"<span class='capkit-error'>{html.escape(str(exc))}</span>"
            return
        self.status.value = ""
        self.headline.value = headline_html(plan)  # sent at once: the figure the user waits for
        table = sweep(self.stack, wl, users=charts.USER_LEVELS)
        self.plan, self.table = plan, table
        self.load_table.value = load_html(plan)
        self.components.value = components_html(plan)
        self.notes.value = notes_html(plan)
        self.link.value = (
            f"<a class='capkit-scenario-link' href='?{html.escape(self.scenario_query())}' target='_blank'>"
            "Link to this scenario</a> <span class='capkit-unit'>(opens these inputs in a new page)</span>"
        )
        users = float(wl.users[0])
        ranges = {k: i.valid_range for k, i in self.inputs.items() if i.valid_range}
        band = simulate_curve(self.stack, wl, charts.USER_LEVELS[::2], n=300, seed=0, ranges=ranges) if ranges else None
        new = (
            charts.cost_by_component(plan),
            charts.cost_and_revenue(table, users, plan.summary["max_users"], band=band),
            charts.utilization(table, users),
        )
        if self.chart_cost is None:
            self.chart_cost, self.chart_curve, self.chart_util = (
                ChartImage(c, f"capkit-chart-{name}") for c, name in zip(new, ("cost", "curve", "util"), strict=True)
            )
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
        shown = (self.chart_cost, self.chart_curve, self.chart_util)
        chart_column = w.VBox([c.widget for c in shown], layout=w.Layout(overflow="auto"))
        root = w.VBox(
            [
                w.HTML(CSS),
                picker,
                self.stack_error,
                self.status,
                self.headline,
                w.HBox([self.downloads, self.link], layout=w.Layout(align_items="center", gap="12px")),
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
    """Two to four stacks on one workload: figures, cost and bottleneck per stack, one chart."""

    def __init__(
        self,
        stacks: list[str] | None = None,
        users: float = 100_000,
        calls_per_user: float | None = None,
        conversion_rate: float | None = None,
        price_usd: float | None = None,
    ):
        names = preset_names()
        self.picker = w.SelectMultiple(
            options=names,
            value=tuple(stacks or names),
            rows=len(names),
            description="Stacks",
            tooltip="choose two to four",
        )
        self.users = _slider(
            w.FloatLogSlider, "Users (DAU)", base=10, min=2, max=8, step=0.01, readout_format=",.0f", value=users
        )
        self.shared = {"calls_per_user": calls_per_user, "conversion_rate": conversion_rate, "price_usd": price_usd}
        self.table = w.HTML()
        self.status = w.HTML()
        self.chart = None
        self.picker.observe(lambda _c: self.refresh(), "value")
        self.users.observe(lambda _c: self.refresh(), "value")
        self.refresh()

    def refresh(self) -> None:
        chosen = list(self.picker.value)
        if not 2 <= len(chosen) <= 4:
            self.status.value = "<span class='capkit-error'>Choose two to four stacks.</span>"
            return
        self.status.value = ""
        overrides = {k: v for k, v in self.shared.items() if v is not None}
        rows, tables = [], {}
        for name in chosen:
            stack = load_stack(name)
            wl = stack.workload(users=self.users.value, **overrides)
            plan = evaluate(stack, wl)
            tables[name] = sweep(stack, wl, users=charts.USER_LEVELS)
            f = headline_figures(plan)
            rows.append(
                f"<tr><td class='text'>{name}</td><td>{f['monthly-cost']}</td><td>{f['cost-per-user']}</td>"
                f"<td>{f['revenue']}</td><td>{f['margin']}</td><td class='text'>{f['bottleneck']}</td>"
                f"<td>{f['max-users']}</td></tr>"
            )
        head = (
            "<tr><th class='text'>stack</th><th>monthly cost</th><th>per user</th><th>revenue</th><th>margin</th>"
            "<th class='text'>bottleneck</th><th>bites at users</th></tr>"
        )
        self.table.value = f"<table class='capkit-table capkit-compare'>{head}{''.join(rows)}</table>"
        chart = charts.compare_costs(tables, self.users.value)
        if self.chart is None:
            self.chart = ChartImage(chart, "capkit-chart-compare")
        else:
            self.chart.chart = chart

    @property
    def widget(self) -> w.Widget:
        return w.VBox([w.HTML(CSS), w.HBox([self.picker, self.users]), self.status, self.table, self.chart.widget])


# --- what the notebooks call ----------------------------------------------------------------
def planner(
    stack: str = "aws-serverless", interactive: bool = True, query: str = "", **values: float | None
) -> w.Widget | None:
    """The planner for a notebook cell: widgets, or static HTML and SVG when not interactive.

    ``query`` is the page's URL query string (see :func:`page_query`): it overrides the inputs.
    """
    if interactive:
        return Planner(stack, query=query, root=stack_root(), **values).widget
    s = load_stack(stack)
    wl = s.workload(**{k: v for k, v in values.items() if v is not None})
    plan = evaluate(s, wl)
    table = sweep(s, wl, users=charts.USER_LEVELS)
    users = float(wl.users[0])
    display(HTML(CSS + f"<h3>{html.escape(s.title)}</h3>" + headline_html(plan)))
    for chart in (
        charts.cost_by_component(plan),
        charts.cost_and_revenue(table, users, plan.summary["max_users"]),
        charts.utilization(table, users),
    ):
        display(HTML(charts.to_img_html(chart)))
    display(HTML(load_html(plan) + components_html(plan) + notes_html(plan)))
    return None


def compare(stacks: list[str] | None = None, interactive: bool = True, **values: float | None) -> w.Widget | None:
    """The compare view for a notebook cell."""
    if interactive:
        return Compare(stacks, **values).widget
    overrides = {k: v for k, v in values.items() if v is not None}
    tables = {}
    rows = []
    for name in stacks or preset_names():
        s = load_stack(name)
        wl = s.workload(**overrides)
        tables[name] = sweep(s, wl, users=charts.USER_LEVELS)
        rows.append({"stack": name, **headline_figures(evaluate(s, wl))})
    display(HTML(CSS + pd.DataFrame(rows).to_html(index=False, classes="capkit-table capkit-compare")))
    display(HTML(charts.to_img_html(charts.compare_costs(tables, overrides.get("users")))))
    return None
