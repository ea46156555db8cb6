"""Static analysis of a parsed model: per-layer facts, MAC estimates, warnings."""
