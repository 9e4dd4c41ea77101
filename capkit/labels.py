"""Readable names of metrics and cost items, from data/labels.yaml (ids stay in JSON and CSV)."""

from __future__ import annotations

import functools
from collections import Counter

from pydantic import BaseModel, ConfigDict

from capkit.pricing import data_model


class TypeLabels(BaseModel):
    """A component type's name and its metrics' labels ("{id}" stands for the component id)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    metrics: dict[str, str] = {}


class LabelFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
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


def labeller(stack: object) -> Labeller:
    """The labeller of a stack (anything with ``components`` that have ``id`` and ``type``)."""
    return Labeller({c.id: c.type for c in stack.components})
