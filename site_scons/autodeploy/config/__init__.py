"""Validated configuration: models.yaml plus platforms/*.yaml, as frozen dataclasses.

from autodeploy.config import load_config
config = load_config(Path("."))          # raises autodeploy.errors.ConfigError
spec = config.models["kws"]; board = config.platforms[spec.platform]
"""

from .loader import (
    Config,
    CpuMode,
    DatasetSpec,
    Emulator,
    Memory,
    ModelSpec,
    Npu,
    Platform,
    PowerGpio,
    PowerModel,
    Sweep,
    Transport,
    load_config,
    load_platform,
)
from .schema import CPU_MODES, LOCATIONS, MEMORY_NAMES, SWEEP_AXES, TOOLCHAINS

__all__ = [
    "CPU_MODES",
    "LOCATIONS",
    "MEMORY_NAMES",
    "SWEEP_AXES",
    "TOOLCHAINS",
    "Config",
    "CpuMode",
    "DatasetSpec",
    "Emulator",
    "Memory",
    "ModelSpec",
    "Npu",
    "Platform",
    "PowerGpio",
    "PowerModel",
    "Sweep",
    "Transport",
    "load_config",
    "load_platform",
]
