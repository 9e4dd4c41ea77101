"""Readable names of metrics and cost items, from data/labels.yaml (ids stay in JSON and CSV)."""

from __future__ import annotations

import functools
import re
from collections import Counter

from pydantic import BaseModel, ConfigDict

from capkit.pricing import data_model


class TypeLabels(BaseModel):
    """A component type's name and its metrics' labels ("{id}" stands for the component id)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    metrics: dict[str, str] = {}


class OptionWords(BaseModel):
    """How one option key reads: "{n} instance" for one, "{n} instances" for other counts, and
    for none ``zero`` when given (an empty text leaves the option out)."""

    model_config = ConfigDict(extra="forbid")
    one: str
    other: str
    zero: str | None = None


class OptionLabels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: dict[str, OptionWords] = {}
    values: dict[str, str] = {}


class LabelFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    options: OptionLabels = OptionLabels()
    types: dict[str, TypeLabels]


@functools.cache
def label_file() -> LabelFile:
    """data/labels.yaml, validated."""
    return data_model("labels.yaml", LabelFile)


class Labeller:
    """Labels for one stack's components: ``metric(id, metric)`` and ``item(id, item)``."""

    def __init__(self, types: dict[str, str]):
        self.types = types  # component id -> type
        self._twice = {t for t, n in Counter(types.values()).items() if n > 1}

    def component(self, cid: str) -> str:
        """``Render web service`` for a render_web component (its id for the user's own types)."""
        entry = label_file().types.get(self.types.get(cid, ""))
        if entry is None or not entry.name:
            return cid  # the user's own (metered) component: its id is its name
        return f"{entry.name} ({cid})" if self.types[cid] in self._twice else entry.name

    def metric(self, cid: str, metric: str) -> str:
        """``Lambda concurrency`` for ``lambda.concurrency``."""
        entry = label_file().types.get(self.types.get(cid, ""))
        text = entry.metrics.get(metric) if entry else None
        if text is None:
            return f"{self.component(cid)} {metric.replace('_', ' ')}"
        text = text.replace("{id}", cid)
        return f"{text} ({cid})" if self.types[cid] in self._twice and "{id}" not in entry.metrics[metric] else text

    def item(self, cid: str, item: str) -> str:
        """``Lambda: requests`` for the ``requests`` item of component ``lambda``."""
        return f"{self.component(cid)}: {item}"


#: "16gb" in a plan name: a size and its unit, written "16 GB".
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)(gb|mb|tb|kb)$")


#: A count that varies over a roadmap phase: "1 to 8".
_RANGE = re.compile(r"^[\d,.]+ to [\d,.]+$")


def option_value(value: object) -> str:
    """A plan or mode name as words: labels.yaml's ``options.values``, else its words
    capitalised with sizes spelled out ("pro_16gb" reads "Pro 16 GB")."""
    text = str(value)
    named = label_file().options.values.get(text)
    if named is not None:
        return named
    words = [(f"{m[1]} {m[2].upper()}" if (m := _SIZE.match(w)) else w) for w in text.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def option_words(key: str, value: object) -> str:
    """One option of a configuration as words: a count with its noun from labels.yaml's
    ``options.keys`` ("50 instances"), or the value itself (:func:`option_value`)."""
    words = label_file().options.keys.get(key)
    if words is not None and isinstance(value, str) and _RANGE.match(value):  # a roadmap phase's "1 to 8"
        return words.other.replace("{n}", value)
    if words is None or not isinstance(value, int | float):
        return option_value(value)
    template = words.zero if value == 0 and words.zero is not None else words.one if value == 1 else words.other
    return template.replace("{n}", f"{value:,.0f}")


def labeller(stack: object) -> Labeller:
    """The labeller of a stack (anything with ``components`` that have ``id`` and ``type``)."""
    return Labeller({c.id: c.type for c in stack.components})


def component_names(stack: object) -> dict[str, str]:
    """Each component id of a stack and its readable name (:meth:`Labeller.component`)."""
    names = labeller(stack)
    return {c.id: names.component(c.id) for c in stack.components}
