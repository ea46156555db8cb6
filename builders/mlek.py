"""MLEK builder: `<model>-mlek` writes build/<model>/<variant>/mlek/, a folder for Alif's ML
Embedded Evaluation Kit's inference_runner use case (see autodeploy.npu.mlek), from the variant's
Vela compile and the original model (whose host TFLM allocations size the interpreter's share).

With MLEK_LOG=<console log of a board run> it also writes reports/<model>/<variant>/
npu_measured.md and .json: the measured NPU cycles beside Vela's estimate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autodeploy import atomic
from builders.analysis import shown_path
from builders.common import config_value, engine_sources, read_value, step_action


def mlek_files(model: str) -> dict[str, str]:
    return {
        "tflite": f"{model}_vela.tflite",
        "model": f"{model}_model.cc",
        "ops": f"{model}_ops.cc",
        "readme": "README.md",
        "json": "mlek.json",
    }


def _folder(target, source, env):
    from autodeploy.npu import mlek
    from autodeploy.tflite.reader import parse_model

    request = read_value(source[3])
    root = Path(env.Dir("#").abspath)
    vela_tflite, vela_json, original = (Path(str(s)) for s in source[:3])
    vela = json.loads(vela_json.read_text())
    setup = vela["setup"]
    platform = env["AUTODEPLOY_CONFIG"].platforms[request["platform"]]
    if platform.npu.mlek is None:
        raise mlek.MlekError(
            f"platform '{platform.name}' has no npu.mlek section (the kit's target_platform, "
            "target_subsystem and linker_script)"
        )
    name = request["model"]
    files = mlek_files(name)
    out = {Path(str(t)).name: Path(str(t)) for t in target}
    data = vela_tflite.read_bytes()
    cpu_ops = mlek.cpu_opcodes(parse_model(data, shown_path(vela_tflite, root)))
    tail = mlek.tflm_tail_bytes(original.read_bytes(), shown_path(original, root))
    buffer = mlek.activation_buffer(vela["sram_bytes"], tail)
    tflite_copy = out[files["tflite"]]
    cmake = mlek.cmake_command(
        platform.npu.mlek.__dict__, setup, str(tflite_copy.resolve()), buffer["activation_buf_sz"]
    )
    facts = {
        "model": name,
        "variant": request["variant"],
        "vela_version": vela["vela_version"],
        "setup": setup,
        "buffer": buffer,
        "cmake": cmake,
        "cpu_ops": sorted(cpu_ops),
        "files": files,
    }
    shutil.copyfile(vela_tflite, f"{tflite_copy}.tmp")
    Path(f"{tflite_copy}.tmp").replace(tflite_copy)
    atomic.write_text(out[files["model"]], mlek.model_source(name, data))
    atomic.write_text(out[files["ops"]], mlek.resolver_source(name, cpu_ops, name))
    atomic.write_json(out[files["json"]], {**facts, "label": vela["label"]})
    atomic.write_text(out[files["readme"]], mlek.readme(name, facts))


def mlek_folder(env, variant, spec, vela_nodes) -> list:
    """Declare build/<model>/<variant>/mlek/."""
    vela_tflite = next(n for n in vela_nodes if str(n).endswith("_vela.tflite"))
    vela_json = vela_nodes[-1]
    out = f"#build/{variant.model}/{variant.name}/mlek"
    request = {"model": spec.name, "variant": variant.name, "platform": variant.platform}
    nodes = env.Command(
        [f"{out}/{name}" for name in mlek_files(spec.name).values()],
        [vela_tflite, vela_json, env.File(str(spec.tflite)), config_value(env, request)],
        step_action("mlek", _folder),
    )
    env.Depends(nodes, engine_sources(env, "npu/mlek", "tflm/ops", "tflm/measure"))
    return nodes


def mlek_log_argument() -> str | None:
    """MLEK_LOG=<file> from the scons command line."""
    from SCons.Script import ARGUMENTS

    return ARGUMENTS.get("MLEK_LOG") or None


def _measured(target, source, env):
    from autodeploy.npu import mlek_log

    log = Path(str(source[0]))
    root = Path(env.Dir("#").abspath)
    vela = json.loads(Path(str(source[1])).read_text())
    request = read_value(source[2])
    measured = mlek_log.parse_profile(log.read_text(errors="replace"), shown_path(log, root))
    result = mlek_log.compare(measured, vela)
    atomic.write_json(str(target[1]), {**result, "log": str(log)})
    atomic.write_text(str(target[0]), mlek_log.render_markdown(request["model"], log.name, result))


def measured_npu(env, variant, log_path: str, vela_report_nodes) -> list:
    """reports/<model>/<variant>/npu_measured.{md,json} from a board's console log."""
    vela_json = next(n for n in vela_report_nodes if str(n).endswith("vela.json"))
    nodes = env.Command(
        [f"#{variant.report_dir}/npu_measured.md", f"#{variant.report_dir}/npu_measured.json"],
        [env.File(log_path), vela_json, config_value(env, {"model": variant.model})],
        step_action("npu-measured", _measured),
    )
    env.Depends(nodes, engine_sources(env, "npu/mlek_log"))
    return nodes
