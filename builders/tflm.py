"""TFLM builder: .tflite -> TensorFlow Lite Micro sources in build/<model>/tflm/.

`<model>_model_data.{h,cc}` (the flatbuffer as an aligned array) and `<model>_tflm.{h,cc}` (op
resolver, measured arena size, init function); see autodeploy.tflm. They depend only on the
.tflite bytes and the engine: the sections they use are placement-independent names.
"""

from __future__ import annotations

from pathlib import Path

from autodeploy import atomic
from builders.common import engine_sources, step_action


def _generate(target, source, env):
    from autodeploy.tflite.reader import read_model
    from autodeploy.tflm.render import render_tflm

    tflite = Path(str(source[0]))
    rel = tflite.relative_to(Path(env.Dir("#").abspath)) if tflite.is_absolute() else tflite
    name = Path(str(target[0])).name.removesuffix("_model_data.h")
    model = read_model(tflite)
    opcodes = {op.opcode for sub in model.subgraphs for op in sub.operators}
    result = render_tflm(name, tflite.read_bytes(), opcodes, str(rel))
    for node in target:
        atomic.write_text(str(node), result.files[Path(str(node)).name])


def tflm_sources(env, spec):
    from autodeploy.tflm.render import FILES

    outdir = f"#build/{spec.name}/tflm"
    targets = env.Command(
        [f"{outdir}/{pattern.format(spec.name)}" for pattern in FILES],
        env.File(str(spec.tflite)),
        step_action("tflm", _generate),
    )
    env.Depends(targets, engine_sources(env, "tflm", "tflite"))
    return targets
