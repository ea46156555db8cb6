"""Sources builder: .tflite + model analysis -> generated C in build/<model>/src/.

The generated files are `<model>_model.{h,c}` and `<model>_model_data.{h,c}` (see
autodeploy.codegen.generator). They depend on the .tflite bytes, the memory plan, the generator
and its templates, the op lowering and the runtime headers; not on the placement, which only the
firmware's linker script uses.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodeploy import atomic
from builders.common import engine_sources, step_action

GENERATED = ("{}_model.h", "{}_model.c", "{}_model_data.h", "{}_model_data.c")


def _generate(target, source, env):
    from autodeploy.codegen.generator import generate
    from autodeploy.tflite.reader import read_model

    tflite, analysis_file = (Path(str(s)) for s in source[:2])
    name = Path(str(target[0])).name.removesuffix("_model.h")
    analysis = json.loads(analysis_file.read_text())
    model = read_model(tflite)
    model.path = analysis["model"]["path"]  # report the project-relative path in messages
    result = generate(model, analysis, name)
    for node in target:
        atomic.write_text(str(node), result.files[Path(str(node)).name])


def model_sources(env, spec, analysis_node):
    outdir = f"#build/{spec.name}/src"
    targets = env.Command(
        [f"{outdir}/{pattern.format(spec.name)}" for pattern in GENERATED],
        [env.File(str(spec.tflite)), analysis_node],
        step_action("sources", _generate),
    )
    runtime_headers = env.Glob("#firmware/runtime/include/adrt/*.h")
    env.Depends(targets, engine_sources(env, "codegen", "tflite") + runtime_headers)
    return targets
