"""The component contract, checked over every component of every preset: stable keys, arrays of
the workload's length, and the optional capabilities declared on the base class."""

import re

import numpy as np
import pytest

import capkit
from capkit.components.base import REGISTRY, Component, QueueSpec

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def test_every_cost_item_and_metric_has_a_unique_snake_case_key(preset):
    wl = preset.workload(users=np.array([1_000.0, 100_000.0, 1_000_000.0]))
    for comp in preset.components:
        metrics = [m.metric for m in comp.metrics(wl)]
        items = [c.key for c in comp.costs(wl)]
        for key in metrics + items:
            assert KEY.match(key), (comp.id, key)
        assert len(set(metrics)) == len(metrics), (comp.id, metrics)
        assert len(set(items)) == len(items), (comp.id, items)


def test_queue_specs_are_arrays_of_the_workload_length(preset):
    # Three user levels: a queue built from the first value alone would have length 1.
    wl = preset.workload(users=np.array([1_000.0, 100_000.0, 1_000_000.0]))
    for comp in preset.components:
        spec = comp.queue(wl)
        if spec is None:
            continue
        assert isinstance(spec, QueueSpec)
        for values in (spec.servers, spec.service_rate_per_s, spec.arrival_rate_per_s):
            assert np.shape(values) == (3,), comp.id
        # Peak arrivals grow with users: 100x and 1000x the first level.
        assert spec.arrival_rate_per_s[2] > spec.arrival_rate_per_s[1] > spec.arrival_rate_per_s[0]


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_optional_capabilities_keep_the_bases_signature(kind):
    """Each optional capability is defined on Component itself (not probed for), and a type
    that overrides one takes the same parameters, so callers need not know the type."""
    import inspect

    cls = REGISTRY[kind]
    for name in (
        "queue",
        "options",
        "notes",
        "db_connections",
        "configuration",
        "plan_tables",
        "monotone",
        "unfit",
        "limit_key",
        "with_params",
    ):
        assert name in vars(Component), name
        own, base = getattr(cls, name), vars(Component)[name]
        if own is not base:
            assert list(inspect.signature(own).parameters) == list(inspect.signature(base).parameters), (kind, name)


def test_register_refuses_a_component_that_breaks_the_contract():
    from capkit.components.base import Params, register

    class NoUnit(Component):
        type = "no_unit_probe"
        requires = {"calls_per_user": ""}

    class Taken(Component):
        type = "render_web"

    class BadParams(Component):
        type = "bad_params_probe"
        Params = dict

    for cls, said in ((NoUnit, "names no unit"), (Taken, "already registered"), (BadParams, "not a capkit Params")):
        with pytest.raises(TypeError, match=said):
            register(cls)
    assert "no_unit_probe" not in REGISTRY and REGISTRY["render_web"] is not Taken
    assert issubclass(REGISTRY["render_web"].Params, Params)


def test_plan_json_names_items_and_metrics_by_key():
    plan = capkit.evaluate(capkit.load_stack("aws-serverless"))
    s3 = next(c for c in plan.to_json()["components"] if c["id"] == "s3")
    assert {i["key"]: i["item"] for i in s3["cost_items"]}["put_requests"] == "PUT requests"
    assert all(m["key"] == m["metric"] for c in plan.to_json()["components"] for m in c["metrics"])


@pytest.mark.parametrize("name", capkit.preset_names())
def test_every_option_names_params_of_its_component(name):
    """An option is a set of params to change (plan, instances, disk_gb...): each key is a field
    of the component's Params, so with_params can build it (register cannot check this: the
    options depend on the catalog, known only once a component is built)."""
    for comp in capkit.load_stack(name).components:
        keys = {k for option in comp.options() for k in option}
        assert keys <= set(comp.Params.model_fields), (comp.id, keys - set(comp.Params.model_fields))
