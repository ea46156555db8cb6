"""Shared test helpers: tiny TFLite model builder and the native (host C) kernel harness."""
