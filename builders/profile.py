"""Profile builder: firmware ELF and size report + model analysis + placement + .tflite -> the
variant's reports/<model>/<variant>/profile.{csv,md,json}, run on the platform's emulator or, with
`scons DEVICE=<pyserial URL>`, on a real board (flashed with the platform's board_support.flash),
or with `scons DEVICE=labgrid:<place or tags>` on a board from a labgrid farm (LG_COORDINATOR=).
With a `dataset:`, its converted samples (builders/dataset.py) are the inputs, not seeded ones.

The config Value holds exactly what the run reads besides its files: runs, seed, the CPU mode
and its clock, the emulator and transport slice of the platform, the core counter events, and
DEVICE. A failed validation
fails the target after the reports are written, so they can be read; QEMU's or the flash tool's
output goes to board.log beside them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from builders.common import config_value, engine_sources, read_value, step_action

OUTPUTS = ("profile.csv", "profile.md", "profile.json")


def _profile(target, source, env):
    from autodeploy.dataset import read_converted
    from autodeploy.firmware.elf import read_elf
    from autodeploy.firmware.toolchains import toolchain
    from autodeploy.firmware.upload_image import upload_image
    from autodeploy.profile.run import ProfileRequest, profile_variant

    elf, analysis, placement, tflite, sizes = (Path(str(s)) for s in source[:5])
    request = read_value(source[5])
    dataset = read_converted(str(source[6]), str(source[7])) if len(source) > 6 else None
    report_dir = Path(str(target[0])).parent
    upload = upload_image(read_elf(elf))
    profile_variant(
        ProfileRequest(
            model=request["model"],
            variant=request["variant"],
            analysis=json.loads(analysis.read_text()),
            placement=json.loads(placement.read_text()),
            tflite=tflite.read_bytes(),
            platform=env["AUTODEPLOY_CONFIG"].platforms[request["platform"]],
            cpu_mode=request["cpu_mode"]["name"],
            runs=request["runs"],
            seed=request["seed"],
            elf=elf,
            log_path=report_dir / "board.log",
            device=request["device"],
            coordinator=coordinator_argument(),
            toolchain={
                "name": request["toolchain"],
                "version": toolchain(request["toolchain"]).version(env["ENV"]["PATH"]),
            },
            image_sizes=json.loads(sizes.read_text()),
            dataset=dataset,
            upload=upload.data if upload else None,
            cycle_estimate=request["cycle_estimate"],
            pmu=_pmu(request["pmu"]),
        ),
        [str(t) for t in target],
    )


def _pmu(value: dict | None):
    """The PmuRequest of the config Value's "pmu" (None: count nothing)."""
    from autodeploy.profile.pmu_capture import PmuRequest

    if value is None:
        return None
    return PmuRequest(value["core"], tuple(value["events"]), value["full_capture"])


def device_argument() -> str | None:
    """DEVICE=<pyserial URL> or DEVICE=labgrid:... from the scons command line (None: the
    emulator). A farm's DEVICE is checked here, so a typo stops the build before it starts."""
    from SCons.Script import ARGUMENTS

    from autodeploy.farm.request import is_farm_device, parse_device

    device = ARGUMENTS.get("DEVICE") or None
    if is_farm_device(device):
        parse_device(device)
    return device


def cycle_estimate_argument() -> bool:
    """CYCLE_ESTIMATE=off on the scons command line profiles without the QEMU plugin: time is
    then instructions / clock, as before the timing model (on, the default, also accepts 1)."""
    from SCons.Script import ARGUMENTS

    from autodeploy.errors import AutodeployError

    value = ARGUMENTS.get("CYCLE_ESTIMATE", "on").lower()
    if value not in ("on", "off", "1", "0"):
        raise AutodeployError(f"CYCLE_ESTIMATE={value}: use on (the default) or off")
    return value in ("on", "1")


def cycle_estimate_request(platform) -> dict:
    """What a step's result depends on for the cycle estimate: the switch and the model."""
    enabled = cycle_estimate_argument()
    return {"cycle_estimate": enabled, "timing": platform.to_dict()["timing"] if enabled else None}


def depend_on_plugin(env, nodes, request: dict) -> None:
    """With the estimate on, a changed plugin counts anew: its sources are the nodes' sources."""
    if request["cycle_estimate"] and request["timing"]:
        env.Depends(nodes, env.Glob("#emulator/plugin/*"))


def coordinator_argument() -> str | None:
    """The labgrid coordinator: LG_COORDINATOR= on the scons command line, else the
    environment's LG_COORDINATOR (None: labgrid's default). Not part of any build signature:
    the same boards behind another address measure the same."""
    from SCons.Script import ARGUMENTS

    return ARGUMENTS.get("LG_COORDINATOR") or os.environ.get("LG_COORDINATOR") or None


def pmu_request(spec, platform) -> dict | None:
    """The core counter events the profile counts per layer: the model's pmu_events, else the
    platform's; checked again here, since a sweep may run the model on another core."""
    from autodeploy.config.loader import counter_events_problem
    from autodeploy.errors import ConfigError

    events = platform.pmu_events if spec.pmu_events is None else spec.pmu_events
    problem = counter_events_problem(platform, events, spec.pmu_full_capture)
    if problem:
        raise ConfigError(
            f"models.yaml: models.{spec.name}.pmu_events on platform {platform.name}: {problem[1]}"
        )
    if not events:  # pmu_events: [] counts nothing
        return None
    return {"core": platform.core, "events": list(events), "full_capture": spec.pmu_full_capture}


def profile(env, variant, firmware_nodes, analysis_node, placement_node, spec, dataset=None):
    """Declare the profile of `variant`; firmware_nodes is builders.firmware.firmware()'s dict;
    dataset: the [npz, json] nodes of the model's converted dataset (None: seeded inputs)."""
    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    mode = platform.cpu_modes[variant.cpu_mode]
    request = {
        "model": spec.name,
        "variant": variant.name,
        "platform": platform.name,
        "toolchain": variant.toolchain,
        "runs": spec.runs,
        "seed": spec.seed,
        "cpu_mode": {"name": mode.name, "clock_hz": mode.clock_hz},
        "emulator": platform.to_dict()["emulator"],
        "transport": platform.to_dict()["transport"],
        "flash": platform.board_support.flash if platform.board_support else None,
        "device": device_argument(),
        **cycle_estimate_request(platform),
        "pmu": pmu_request(spec, platform),
    }
    outdir = f"#{variant.report_dir}"
    targets = env.Command(
        [f"{outdir}/{name}" for name in OUTPUTS],
        [
            firmware_nodes["elf"],
            analysis_node,
            placement_node,
            env.File(str(spec.tflite)),
            firmware_nodes["sizes_json"],
            config_value(env, request),
            *(dataset or []),
        ],
        step_action("profile", _profile),
    )
    env.SideEffect(f"{outdir}/board.log", targets)
    env.Depends(
        targets,
        engine_sources(
            env,
            *("profile", "board", "reference", "validation", "rpc", "dataset", "timing"),
            *("firmware/elf", "firmware/flash_image", "firmware/upload_image"),
        ),
    )
    depend_on_plugin(env, targets, request)
    return targets
