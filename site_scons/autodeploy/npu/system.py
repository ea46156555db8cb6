"""Which Vela system config and memory mode describe a variant: from the platform's `npu:`
section, the variant's Vela settings and where its placement put the arena and the weights."""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

from ..errors import AutodeployError

#: Memories the NPU reads weights from through its flash port (Vela memory mode Shared_Sram).
FLASH_MEMORIES = ("MRAM", "OSPI")
#: RAMs that can hold Vela's arena (and the weights too, with Sram_Only).
RAM_MEMORIES = ("SRAM", "TCM")


class VelaSetupError(AutodeployError):
    """The variant's Vela settings contradict its placement or the platform's NPU."""


@dataclass(frozen=True)
class VelaSetup:
    """Everything one Vela compile depends on besides the .tflite."""

    accelerator: str  # e.g. ethos-u55-256
    system_config: str
    memory_mode: str  # Shared_Sram | Sram_Only
    optimise: str  # Performance | Size
    config_file: str  # project-relative .ini
    ignore_ops: tuple[str, ...]
    arena_memory: str
    weights_memory: str
    npu_clock_hz: int
    platform_accelerator: str  # the board's own NPU (a compile for another one will not run)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}

    def arguments(self, config_path: Path, out_dir: Path, tflite: Path) -> list[str]:
        """Vela's command-line arguments for this compile."""
        args = [
            "--accelerator-config", self.accelerator,
            "--config", str(config_path),
            "--system-config", self.system_config,
            "--memory-mode", self.memory_mode,
            "--optimise", self.optimise,
            "--verbose-performance",
            "--output-dir", str(out_dir),
        ]  # fmt: skip
        if self.ignore_ops:
            args += ["--ignore-ops", ",".join(self.ignore_ops)]
        return [*args, str(tflite)]


def vela_setup(platform, placement: dict, settings: dict) -> VelaSetup:
    """The compile of a variant. placement: the variant's placement.json; settings: its
    accelerator, memory_mode, optimise and vela_ignore_ops as in models.yaml."""
    npu = platform.npu
    if npu is None:
        raise VelaSetupError(
            f"platform '{platform.name}' has no NPU (no npu: section); Vela targets need a board "
            "with an Ethos-U, e.g. platform: alif_e7_hp"
        )
    requested = placement["requested"]["model_location"]
    placed = placement["placement"]
    arena = placed["arena_location"]
    if arena not in RAM_MEMORIES:
        raise VelaSetupError(
            f"the arena is in {arena}; the NPU's arena must be in one of {', '.join(RAM_MEMORIES)} "
            "(set arena_location)"
        )
    mode = settings["memory_mode"]
    weights = placed["model_location"]
    if mode == "auto":
        mode = "Sram_Only" if weights in RAM_MEMORIES else "Shared_Sram"
    elif mode == "Sram_Only":
        if requested in FLASH_MEMORIES:
            raise VelaSetupError(
                f"memory_mode Sram_Only keeps the weights in RAM, but model_location is "
                f"{requested}; use memory_mode Shared_Sram or a RAM model_location"
            )
    elif requested in RAM_MEMORIES:  # Shared_Sram
        raise VelaSetupError(
            f"memory_mode Shared_Sram reads the weights from flash, but model_location is "
            f"{requested}; use memory_mode Sram_Only or model_location "
            f"{' or '.join(m for m in FLASH_MEMORIES if m in platform.memories)}"
        )
    elif weights not in FLASH_MEMORIES:  # auto placement chose a RAM: use the board's flash
        weights = next((m for m in FLASH_MEMORIES if m in platform.memories), None)
        if weights is None:
            raise VelaSetupError(f"platform '{platform.name}' has no flash for Shared_Sram")
    config_weights = weights
    if mode == "Sram_Only":  # the NPU reads them from RAM; Vela describes that RAM as the arena's
        config_weights = arena
        weights = weights if weights in RAM_MEMORIES else arena
    accelerator = settings["accelerator"]
    return VelaSetup(
        accelerator=npu.accelerator if accelerator == "auto" else accelerator,
        system_config=npu.system_config.format(arena=arena, weights=config_weights),
        memory_mode=mode,
        optimise=settings["optimise"],
        config_file=npu.vela_config,
        ignore_ops=tuple(settings.get("vela_ignore_ops", ())),
        arena_memory=arena,
        weights_memory=weights,
        npu_clock_hz=npu.clock_hz,
        platform_accelerator=npu.accelerator,
    )


def check_config_file(setup: VelaSetup, config_path: Path) -> None:
    """The .ini must define the system config and memory mode, at the NPU clock the platform
    declares (the estimate's time is cycles at that clock)."""
    parser = configparser.ConfigParser()
    try:
        parser.read(config_path)
    except configparser.Error as err:
        raise VelaSetupError(f"{setup.config_file}: not a valid .ini file: {err}") from None
    for section in (f"System_Config.{setup.system_config}", f"Memory_Mode.{setup.memory_mode}"):
        if not parser.has_section(section):
            raise VelaSetupError(
                f"{setup.config_file} has no [{section}]; add it (the platform's npu.system_config "
                "names the section from where the arena and weights are placed)"
            )
    clock = parser.get(f"System_Config.{setup.system_config}", "core_clock", fallback=None)
    if clock is None or round(float(clock)) != setup.npu_clock_hz:
        raise VelaSetupError(
            f"{setup.config_file} [System_Config.{setup.system_config}] core_clock={clock} but the "
            f"platform's npu.clock_mhz is {setup.npu_clock_hz / 1e6:g}; make them agree"
        )
