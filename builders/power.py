"""Power builder: the power firmware of a variant (firmware/apps/power, compiled once per
platform+toolchain like the validator) -> reports/<model>/<firmware key>/power.{json,md}: one run
measures every CPU mode, so the variant's modes share it.

On the emulator the energy is modelled from the platform's power model; with DEVICE= the board
is measured with a Joulescope. The power image lives in its own folder (build/<model>/<key>/power)
so its glue, linker script and sizes do not collide with the validator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autodeploy.variants import Variant
from builders.common import config_value, engine_sources, read_value, step_action
from builders.firmware import firmware
from builders.profile import (
    coordinator_argument,
    cycle_estimate_request,
    depend_on_plugin,
    device_argument,
)

OUTPUTS = ("power.json", "power.md")
POWER_APP = {
    "app_sources": ["firmware/apps/power", "firmware/rpc/src/seeded.c"],
    "include": ["firmware/rpc/include"],
    "app_name": "power",
}


@dataclass(frozen=True)
class PowerImage(Variant):
    """The variant's power firmware: same model, platform and placement, own build folder."""

    @property
    def build_dir(self) -> str:
        return f"{super().build_dir}/power"


def _power(target, source, env):
    from autodeploy.power.run import PowerRequest, power_variant
    from autodeploy.run_record import tflite_sha256

    request = read_value(source[2])
    report_dir = Path(str(target[0])).parent
    power_variant(
        PowerRequest(
            model=request["model"],
            variant=request["variant"],
            platform=env["AUTODEPLOY_CONFIG"].platforms[request["platform"]],
            toolchain=request["toolchain"],
            runs=request["runs_power"],
            seed=request["seed"],
            tflite_sha256=tflite_sha256(Path(str(source[1])).read_bytes()),
            elf=Path(str(source[0])),
            log_path=report_dir / "power.log",
            device=request["device"],
            coordinator=coordinator_argument(),
            cycle_estimate=request["cycle_estimate"],
        ),
        [str(t) for t in target],
    )


def power(env, variant, sources, placement_node, spec, target: str):
    """Declare the power image and reports of `variant` (target: "emulator" or "board")."""
    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    image = firmware(
        env, PowerImage(**variant.__dict__), sources, placement_node, target=target, **POWER_APP
    )
    request = {
        "model": spec.name,
        "variant": variant.firmware_key,
        "platform": platform.name,
        "toolchain": variant.toolchain,
        "runs_power": spec.runs_power,
        "seed": spec.seed,
        "cpu_modes": {m.name: [m.clock_hz, m.power_mw] for m in platform.cpu_modes.values()},
        "power": platform.to_dict()["power_model"],
        "gpio": platform.to_dict()["power_gpio"],
        "emulator": platform.to_dict()["emulator"],
        "transport": platform.to_dict()["transport"],
        "device": device_argument(),
        **cycle_estimate_request(platform),
    }
    outdir = f"#{variant.power_dir}"
    nodes = env.Command(
        [f"{outdir}/{name}" for name in OUTPUTS],
        [image["elf"], env.File(str(spec.tflite)), config_value(env, request)],
        step_action("power", _power),
    )
    env.SideEffect(f"{outdir}/power.log", nodes)
    # the image's size report: checks its budgets, and the result log's ROM/RAM come from it
    env.Depends(
        nodes,
        [
            image["sizes_json"],
            *engine_sources(env, "power", "board", "firmware/elf", "firmware/flash_image"),
            *engine_sources(env, "timing"),
        ],
    )
    depend_on_plugin(env, nodes, request)
    return nodes
