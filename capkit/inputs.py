"""A page's inputs as plain state, without widgets: the values, their checks, and the query
string that carries them in a scenario link.

The views in :mod:`capkit.app` show this state and write to it; nothing here imports
ipywidgets, so the checks and the link round trip are tested without a page. Values are checked
with the workload's own rules (:func:`capkit.workload.parse_value` and ``check_range``), the
same as ``capkit plan --set``, with messages that name the field and what it allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import numpy as np

from capkit.errors import InputError
from capkit.scenario import USER_LEVELS
from capkit.sizing import SIZINGS
from capkit.stack import Stack
from capkit.workload import AssumptionSpec, Interval, check_range, parse_value

#: The universal fields that get a slider; every other assumption gets a box.
SLIDERS = ("users", "calls_per_user", "conversion_rate", "price_usd")


@dataclass(frozen=True)
class SliderSpec:
    """What a slider shows: its label, scale (log or linear), ends, step and readout format.

    ``grows``: the top end stretches to twice a value set above it (a price of $150 gets a
    slider to $300), so a link or a stack default is never clipped."""

    label: str
    log: bool
    low: float
    high: float
    step: float
    readout: str
    grows: bool = False

    def ends(self, value: float | None = None) -> tuple[float, float]:
        """The lowest and highest values the slider offers, given the value it must hold."""
        high = max(self.high, 2 * value) if self.grows and value is not None else self.high
        return self.low, high


#: One slider per field of SLIDERS, and the analysis page's two. Users span the charts' levels.
SLIDER_SPECS: dict[str, SliderSpec] = {
    "users": SliderSpec("Users (DAU)", True, float(USER_LEVELS[0]), float(USER_LEVELS[-1]), 0.01, ",.0f"),
    "calls_per_user": SliderSpec("Calls/user/day", True, 0.1, 10_000.0, 0.01, ",.4g"),
    "conversion_rate": SliderSpec("Conversion", False, 0.0, 1.0, 0.005, ".1%"),
    "price_usd": SliderSpec("Price USD/mo", False, 0.0, 100.0, 0.01, ".2f", grows=True),
    # The analysis page's own inputs (not workload fields):
    "growth_rate_monthly": SliderSpec("Growth/month", False, -0.5, 1.0, 0.005, ".1%"),
    "latency_target_ms": SliderSpec("Latency target ms", True, 10.0, 10_000.0, 0.01, ",.0f"),
}


def check_number(key: str, text: str, spec: AssumptionSpec, slider: SliderSpec) -> float:
    """A slider's value from text: a number within the field's range and the slider's ends."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{key} = {text!r} is not a number") from None
    check_range(key, np.atleast_1d(value), spec)
    low, high = slider.ends(value)
    if not low <= value <= high:
        raise InputError(f"{key} = {text} is outside the slider's {low:,.6g} to {high:,.6g}")
    return value


def check_text(key: str, text: str, spec: AssumptionSpec) -> tuple[float, Interval | None]:
    """A box's value from text: a number, or a range low:likely:high, every number within the
    assumption's declared range. Returns the value (a range's likely one) and the range."""
    value, spread = parse_value(key, text)
    for number in spread or (value,):
        check_range(key, np.atleast_1d(number), spec)
    return value, spread


@dataclass
class Assumption:
    """One assumption box: the text as typed, its last valid value and range, and the message
    explaining why the text is refused (empty when it is valid)."""

    key: str
    spec: AssumptionSpec
    value: float
    spread: Interval | None = None
    text: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        self.text = self.text or f"{self.value:g}"

    def set_text(self, text: str) -> bool:
        """Check ``text``; keep it if valid (True), else keep the last valid value and say why."""
        self.text = text
        try:
            value, spread = check_text(self.key, text, self.spec)
        except InputError as exc:
            self.message = str(exc)
            return False
        self.value, self.spread, self.message = value, spread, ""
        return True


@dataclass
class Inputs:
    """The planner's inputs: the stack (as loaded and as named), the sizing, the sliders' values
    and the assumption boxes."""

    stack: Stack
    stack_name: str
    sizing: str = "right-sized"
    sliders: dict[str, float] = field(default_factory=dict)
    assumptions: dict[str, Assumption] = field(default_factory=dict)
    #: Right-sizing may choose plans unfit for a paying product (the Hobby plans checkbox).
    allow_hobby: bool = False

    @classmethod
    def of(cls, stack: Stack, name: str, values: Mapping[str, float | None] | None = None, sizing: str = "right-sized"):
        """The stack's defaults, replaced by ``values`` (None means the default)."""
        given = {k: float(v) for k, v in (values or {}).items() if v is not None}
        specs = stack.specs
        return cls(
            stack,
            name,
            sizing,
            {k: given.get(k, specs[k].default) for k in SLIDERS},
            {k: Assumption(k, s, given.get(k, s.default)) for k, s in specs.items() if k not in SLIDERS},
        )

    def values(self) -> dict[str, float]:
        """Every field's current value (each assumption at its last valid value)."""
        return {**self.sliders, **{k: a.value for k, a in self.assumptions.items()}}

    def ranges(self) -> dict[str, Interval]:
        """The assumptions given as ranges low:likely:high (the uncertainty band draws from them)."""
        return {k: a.spread for k, a in self.assumptions.items() if a.spread}

    def query(self) -> str:
        """The query string that reproduces these inputs (assumptions at their default left out)."""
        pairs = [("stack", self.stack_name), ("sizing", self.sizing)]
        if self.allow_hobby:
            pairs.append(("allow_hobby", "1"))
        pairs += [(k, f"{v:.10g}") for k, v in self.sliders.items()]
        for key, a in self.assumptions.items():
            if a.spread:
                pairs.append((key, ":".join(f"{v:.10g}" for v in a.spread)))
            elif a.value != a.spec.default:
                pairs.append((key, f"{a.value:.10g}"))
        return urlencode(pairs, safe=":/")

    def apply(self, fields: Mapping[str, str]) -> list[str]:
        """Set fields from text (a link's ``sizing`` and workload fields), each checked like a
        typed value. What is refused is returned, one message each; the rest applies."""
        errors = []
        for key, text in fields.items():
            try:
                if key == "sizing":
                    if text not in SIZINGS:
                        raise InputError(f"sizing = {text!r} is not one of: {', '.join(SIZINGS)}")
                    self.sizing = text
                elif key == "allow_hobby":
                    self.allow_hobby = parse_flag(key, text)
                elif key in SLIDER_SPECS:
                    self.sliders[key] = check_number(key, text, self.stack.specs[key], SLIDER_SPECS[key])
                elif key in self.assumptions:
                    if not self.assumptions[key].set_text(text):
                        errors.append(self.assumptions[key].message)
                else:
                    errors.append(f"{key!r} is not a field of stack {self.stack.name}")
            except InputError as exc:
                errors.append(str(exc))
        return errors


#: A link's yes-or-no words.
FLAG_WORDS = {"1": True, "0": False, "true": True, "false": False}


def parse_flag(key: str, text: str) -> bool:
    """A link's yes-or-no field: 1 or true is yes, 0 or false no; anything else is refused."""
    if text.lower() not in FLAG_WORDS:
        raise InputError(f"{key} = {text!r} is not one of: {', '.join(FLAG_WORDS)}")
    return FLAG_WORDS[text.lower()]


def parse_query(query: str) -> tuple[str, dict[str, str]]:
    """A page URL's query string as (stack name or "", the other fields as text; the last of a
    repeated field wins)."""
    fields = {k: v[-1].strip() for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
    return fields.pop("stack", ""), fields


#: The analysis page's own numeric inputs, checked like workload fields (value within range).
PAGE_SPECS: dict[str, AssumptionSpec] = {
    "growth_rate_monthly": AssumptionSpec(
        default=0.1, unit="fraction/month", min=-0.5, max=1.0, meaning="Monthly user growth."
    ),
    "latency_target_ms": AssumptionSpec(
        default=500.0, unit="ms", min=10.0, max=10_000.0, meaning="Response time the 95th percentile must stay under."
    ),
}


def page_fields(
    query: str, numbers: Mapping[str, AssumptionSpec], words: Mapping[str, tuple[str, ...] | None] = {}
) -> tuple[dict[str, object], list[str]]:
    """A compare or analysis page's link, read as the planner's is (:meth:`Inputs.apply`):
    each of ``numbers`` checked against its spec and its slider (:func:`check_number`), each of
    ``words`` one of its allowed texts (None: any text, checked by the page), anything else
    refused. Returns the values and the refusals, one message each."""
    fields = {k: v[-1].strip() for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
    values: dict[str, object] = {}
    errors = []
    for key, text in fields.items():
        try:
            if key in numbers:
                values[key] = check_number(key, text, numbers[key], SLIDER_SPECS[key])
            elif key in words:
                allowed = words[key]
                if allowed is not None and text not in allowed:
                    raise InputError(f"{key} = {text!r} is not one of: {', '.join(allowed)}")
                values[key] = text
            else:
                raise InputError(f"{key!r} is not an input of this page; inputs: {', '.join([*numbers, *words])}")
        except InputError as exc:
            errors.append(str(exc))
    return values, errors


def page_link(values: Mapping[str, object]) -> str:
    """The query string of a page's inputs: numbers to ten significant digits, texts as they are."""
    pairs = [
        (k, f"{v:.10g}" if isinstance(v, float | int) and not isinstance(v, bool) else str(v))
        for k, v in values.items()
    ]
    return urlencode(pairs, safe=":/,")
