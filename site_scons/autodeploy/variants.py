"""Variants: one model built for one board, toolchain, placement and CPU mode.

A variant names its directories. Firmware does not depend on the CPU mode (the mode only sets the
clock that turns counts into time, and a real board switches it at run time), so the firmware
key leaves it out and two variants that differ only in mode share one firmware image, and one
power report (a power run measures every mode).

On a board with an NPU a variant also carries its Vela settings (accelerator, memory mode,
optimise). They change only the NPU compile, never the CPU firmware or its profile: the name
shows them only when they differ from the defaults, and `cpu_variant` drops them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from autodeploy.config.loader import ModelSpec


@dataclass(frozen=True)
class Variant:
    model: str
    platform: str
    toolchain: str
    model_location: str  # as requested: a memory name or "auto"
    arena_location: str
    cpu_mode: str
    accelerator: str = "auto"
    memory_mode: str = "auto"
    optimise: str = "Performance"

    @property
    def npu_key(self) -> str:
        return f"{self.accelerator}-{self.memory_mode}-{self.optimise}"

    @property
    def cpu_variant(self) -> Variant:
        """The same variant with the default Vela settings: the one whose firmware, profile
        and power report this variant shares."""
        return replace(self, accelerator="auto", memory_mode="auto", optimise="Performance")

    @property
    def firmware_key(self) -> str:
        return f"{self.platform}-{self.toolchain}-{self.model_location}-{self.arena_location}"

    @property
    def name(self) -> str:
        name = f"{self.firmware_key}-{self.cpu_mode}"
        return name if self == self.cpu_variant else f"{name}-{self.npu_key}"

    @property
    def build_dir(self) -> str:
        """Project-relative folder of the firmware image, its linker script, map and sizes."""
        return f"build/{self.model}/{self.firmware_key}"

    @property
    def report_dir(self) -> str:
        """Project-relative folder of what a person reads: profile, validation, power."""
        return f"reports/{self.model}/{self.name}"

    @property
    def vela_dir(self) -> str:
        """Project-relative folder of the Vela compile (shared by the variant's CPU modes)."""
        return f"{self.build_dir}/vela-{self.npu_key}"

    @property
    def power_dir(self) -> str:
        """Project-relative folder of the power report, shared by the variant's CPU modes."""
        return f"reports/{self.model}/{self.firmware_key}"


def compiled_dir(model: str, target) -> str:
    """Project-relative folder of a model compiled for a target (autodeploy.target.Target): its
    analysis, compiled program and generated sources, shared by every board of that target."""
    return f"build/{model}/{target.key}"


def declared_variant(spec: ModelSpec) -> Variant:
    """The variant a model's own settings in models.yaml describe."""
    return Variant(
        model=spec.name,
        platform=spec.platform,
        toolchain=spec.toolchain,
        model_location=spec.model_location,
        arena_location=spec.arena_location,
        cpu_mode=spec.cpu_mode,
        accelerator=spec.accelerator,
        memory_mode=spec.memory_mode,
        optimise=spec.optimise,
    )
