"""capkit: capacity and cost planning for web and mobile app backends.

Public API (stable): load_stack, evaluate, right_size, sweep, roadmap, compare, Scenario,
latency, simulate, sensitivity, Plan, Stack, Workload,
load_catalog, default_catalog, preset_names, the error types, and the queueing module
(capkit.queueing: mmc, servers_for and the M/M/c array functions).
"""

from capkit import display, queueing
from capkit.analysis.latency import latency
from capkit.analysis.roadmap import roadmap
from capkit.analysis.uncertainty import sensitivity, simulate
from capkit.engine import evaluate, evaluate_arrays, sweep
from capkit.errors import CapkitError, InputError, PricingDataError, StackError
from capkit.plan import Plan
from capkit.pricing import Catalog, default_catalog, load_catalog
from capkit.scenario import Scenario, compare
from capkit.sizing import right_size
from capkit.stack import Stack, load_stack, preset_names
from capkit.workload import Workload

display.install()  # short reprs and HTML views for notebooks (capkit.display)

__version__ = "0.1.0"

__all__ = [
    "CapkitError",
    "Catalog",
    "InputError",
    "Plan",
    "Scenario",
    "PricingDataError",
    "Stack",
    "StackError",
    "Workload",
    "compare",
    "default_catalog",
    "evaluate",
    "evaluate_arrays",
    "latency",
    "load_catalog",
    "load_stack",
    "preset_names",
    "queueing",
    "right_size",
    "roadmap",
    "sensitivity",
    "simulate",
    "sweep",
]
