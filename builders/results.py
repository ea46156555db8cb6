"""Result rows of variants, read from their reports on disk, and the result log's updates.

After a profile or power step runs, its variant's row is rebuilt from whatever reports of that
variant measured the current inputs and upserted into reports/results.csv. A step that does not
run (nothing changed, or SCons' cache supplied its outputs) adds no row.
"""

from __future__ import annotations

import json
from pathlib import Path

from SCons.Action import Action

from autodeploy.variants import compiled_dir

RESULT_LOG = "reports/results.csv"


def _json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def sdk_version(platform, target: str) -> str:
    if target == "board" and platform.board_support:
        return "board support " + ", ".join(platform.board_support.sources)
    return f"autodeploy board support for QEMU {platform.emulator.machine} (emulated)"


def disk_row(graph, variant) -> dict | None:
    """The variant's row from its reports on disk; None before anything of it was built."""
    import autodeploy
    from autodeploy.dataset import dataset_sha256
    from autodeploy.firmware.toolchains import toolchain
    from autodeploy.results import RowContext, variant_row
    from autodeploy.run_record import tflite_sha256

    env = graph.env
    root = Path(env.Dir("#").abspath)
    spec = graph.spec(variant)
    build = root / variant.build_dir
    placement = _json(build / "placement.json")
    analysis = _json(
        root / compiled_dir(variant.model, graph.compile_target(variant)) / "model_analysis.json"
    )
    power = _json(root / variant.power_dir / "power.json")
    sizes_of, sizes = "power image", _json(build / "power" / "sizes.json")
    if power is None or sizes is None:
        sizes_of, sizes = "validator image", _json(build / "sizes.json")
    if placement is None or analysis is None or sizes is None:
        return None
    context = RowContext(
        tflite_sha256=tflite_sha256(spec.tflite.read_bytes()),
        seed=spec.seed,
        toolchain_version=toolchain(variant.toolchain).version(env["ENV"]["PATH"]),
        runtime_version=f"adrt {autodeploy.__version__}",
        sdk_version=sdk_version(graph.config.platforms[variant.platform], graph.target(variant)),
        sizes_of=sizes_of,
        dataset_sha256=dataset_sha256(spec.dataset) if spec.dataset else None,
    )
    return variant_row(
        variant,
        context,
        placement=placement,
        analysis=analysis,
        sizes=sizes,
        profile=_json(root / variant.cpu_variant.report_dir / "profile.json"),
        power=power,
        vela=_json(root / variant.report_dir / "vela.json"),
    )


def _log(target, source, env):
    from autodeploy.results import upsert_rows

    graph = env["AUTODEPLOY_GRAPH"]
    rows = [disk_row(graph, v) for v in graph.logged[target[0].abspath]]
    upsert_rows(Path(env.Dir("#").abspath) / RESULT_LOG, [row for row in rows if row])


# Module-level and closure-free: a post-action's code is part of its targets' build signature.
LOG_ROWS = Action(_log, strfunction=lambda target, source, env: f"[log] {RESULT_LOG}")


def log_after(graph, nodes, variants: list) -> None:
    """After `nodes` (a profile or power step) build, upsert the rows of `variants` (a list the
    graph may still extend)."""
    graph.logged[nodes[0].abspath] = variants
    graph.env.AddPostAction(nodes, LOG_ROWS)
