"""The public API documents itself, pvlib style: every function in ``capkit.__all__`` and in
``capkit.queueing`` names each of its parameters in its docstring (with the unit there)."""

from __future__ import annotations

import inspect

import pytest

import capkit
from capkit import queueing


def _public() -> list[object]:
    found = [getattr(capkit, name) for name in capkit.__all__]
    found += [
        getattr(queueing, name)
        for name in dir(queueing)
        if not name.startswith("_") and getattr(getattr(queueing, name), "__module__", "") == "capkit.queueing"
    ]
    return [f for f in found if inspect.isfunction(f) or inspect.isclass(f) and f is queueing.MMC]


@pytest.mark.parametrize("thing", _public(), ids=lambda f: f.__qualname__)
def test_every_parameter_is_named_in_the_docstring(thing):
    doc = inspect.getdoc(thing) or ""
    params = [p for p in inspect.signature(thing).parameters if p not in ("self", "args", "kwargs", "scalar")]
    missing = [p for p in params if p not in doc]
    assert doc and not missing, f"{thing.__qualname__}: {missing}"
