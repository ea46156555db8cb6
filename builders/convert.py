"""Convert builder: `<model>-convert` turns a float model (models.yaml `source:`) into the int8
build/<model>/convert/<model>.tflite that every other step of the model reads (the spec's
`tflite`), plus convert.json there and reports/<model>/convert.md.

The step depends on the source (every file of a SavedModel folder), the calibration data, the
quantization setting, the worker and the tool environment's requirements, so a new calibration
file or TensorFlow pin re-converts and everything downstream follows; an unchanged model does not.
"""

from __future__ import annotations

from pathlib import Path

from autodeploy import atomic
from builders.common import config_value, engine_sources, step_action

TOOL_FILES = ("scripts/tool-env.sh", "scripts/tools/convert.txt")


def _convert(target, source, env):
    from autodeploy.convert.run import convert, render_markdown

    spec = env["AUTODEPLOY_CONFIG"].models[Path(str(target[0])).stem]
    root = Path(env.Dir("#").abspath)
    report = convert(spec, root, Path(str(target[0])), Path(str(target[1])))
    atomic.write_text(str(target[2]), render_markdown(spec.name, report))


def _source_files(env, source: Path) -> list:
    if source.is_dir():  # a SavedModel: its saved_model.pb and variables/
        return [env.File(str(p)) for p in sorted(source.rglob("*")) if p.is_file()]
    return [env.File(str(source))]


def convert_model(env, spec) -> list:
    """Declare the conversion of a model with `source:`; its .tflite is spec.tflite."""
    out = Path(spec.tflite).parent
    nodes = env.Command(
        [str(spec.tflite), str(out / "convert.json"), f"#reports/{spec.name}/convert.md"],
        [
            *_source_files(env, spec.source),
            env.File(str(spec.calibration)),
            config_value(env, {"quantize": spec.quantize}),
            *(env.File(f"#{name}") for name in TOOL_FILES),
        ],
        step_action("convert", _convert),
    )
    env.Depends(nodes, engine_sources(env, "convert"))
    return nodes
