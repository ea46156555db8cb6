"""Sources builder: a compiled program -> generated C in build/<model>/<target>/src/.

The generated files are `<model>_model.{h,c}` and `<model>_model_data.{h,c}` (see
autodeploy.codegen.generator), rendered from the pickled Program of the compile step: no parsing,
no lowering. They depend on the program, the generator and its templates and the runtime headers;
not on the placement, which only the firmware's linker script uses. Boards of the same target
(autodeploy.target) share them.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from autodeploy import atomic
from autodeploy.variants import compiled_dir
from builders.common import engine_sources, step_action

GENERATED = ("{}_model.h", "{}_model.c", "{}_model_data.h", "{}_model_data.c")


def _generate(target, source, env):
    from autodeploy.codegen.generator import generate

    program = pickle.loads(Path(str(source[0])).read_bytes())
    name = Path(str(target[0])).name.removesuffix("_model.h")
    result = generate(program, name)
    for node in target:
        atomic.write_text(str(node), result.files[Path(str(node)).name])


def model_sources(env, spec, target, program_node):
    outdir = f"#{compiled_dir(spec.name, target)}/src"
    targets = env.Command(
        [f"{outdir}/{pattern.format(spec.name)}" for pattern in GENERATED],
        program_node,
        step_action("sources", _generate),
    )
    from autodeploy.codegen.generator import runtime_headers

    headers = [env.File(str(h)) for h in runtime_headers()]
    env.Depends(targets, engine_sources(env, "codegen") + headers)
    return targets
