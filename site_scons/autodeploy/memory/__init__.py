"""Tensor lifetimes, the static arena plan, and placement of model data and arena in memories."""
