"""Firmware images: toolchains and their flags, the linker script from a placement, the ELF
reader and the per-memory size report. Plain Python; the SCons side is builders/firmware.py."""
