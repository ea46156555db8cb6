"""Dataset builder: a model's `dataset:` files + its analysis -> build/<model>/<target>/dataset.npz
(the samples as the model takes them: float data quantized) and dataset.json (file, samples,
SHA-256, how each input was converted), which the profile step uploads and runs.

Its sources are the dataset's files themselves, so editing the data re-runs the conversion and
the profile, and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

from autodeploy.variants import compiled_dir
from builders.common import config_value, engine_sources, read_value, step_action


def _convert(target, source, env):
    from autodeploy.config import DatasetSpec
    from autodeploy.dataset import load_dataset, write_converted

    analysis = json.loads(Path(str(source[0])).read_text())
    request = read_value(source[1])
    spec = DatasetSpec(
        path=Path(request["path"]),
        shown=request["shown"],
        labels=Path(request["labels"]) if request["labels"] else None,
        samples=request["samples"],
    )
    dataset = load_dataset(spec, analysis["inputs"], analysis["outputs"])
    write_converted(dataset, str(target[0]), str(target[1]))


def dataset(env, spec, target, analysis_node) -> list:
    """Declare the converted dataset of model `spec` compiled for `target`; returns its
    [npz, json] nodes."""
    from autodeploy.dataset import dataset_files

    data = spec.dataset
    out = f"#{compiled_dir(spec.name, target)}"
    request = {
        "path": str(data.path),
        "shown": data.shown,
        "labels": str(data.labels) if data.labels else None,
        "samples": data.samples,
    }
    nodes = env.Command(
        [f"{out}/dataset.npz", f"{out}/dataset.json"],
        [analysis_node, config_value(env, request), *map(str, dataset_files(data))],
        step_action("dataset", _convert),
    )
    env.Depends(nodes, engine_sources(env, "dataset", "validation/classification"))
    return nodes
