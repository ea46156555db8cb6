"""Validation of board outputs against the host reference."""
