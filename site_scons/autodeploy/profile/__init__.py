"""Profiling and validation on a board or the emulator: run, compare, report."""
