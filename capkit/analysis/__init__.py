"""Analyses built on the engine: queueing latency (more to come: roadmap, uncertainty)."""
