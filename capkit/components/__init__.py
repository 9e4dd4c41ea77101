"""Component models, one module per provider family; importing this registers them all."""

from capkit.components import aws, batch, email, firebase, postgres, redis, render, sentry, vercel  # noqa: F401
from capkit.components.base import REGISTRY, Component, CostItem, Metric

__all__ = ["REGISTRY", "Component", "CostItem", "Metric"]
