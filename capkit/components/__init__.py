"""Component models, one module per provider family; importing this registers them all."""

from capkit.components import (  # noqa: F401
    aws,
    batch,
    email,
    firebase,
    metered,
    postgres,
    redis,
    render,
    sentry,
    vercel,
)
from capkit.components.base import REGISTRY, Component, CostItem, Metric

__all__ = ["REGISTRY", "Component", "CostItem", "Metric"]
