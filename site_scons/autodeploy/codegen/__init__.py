"""Turning an analysed model into C: per-op lowering (static kernel parameters) and rendering."""
