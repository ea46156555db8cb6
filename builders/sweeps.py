"""Sweep builders: `scons sweep-<name>` builds every feasible variant of a sweep (profile, power,
page: the same nodes a model's own targets use) and reports/sweeps/<name>/results.csv with an
HTML page comparing them.

Which variants are feasible is decided while SCons reads the build: the model is analysed in
process (a fraction of a second) and each variant is placed on its board. Infeasible variants
are printed, listed in results.csv with the reason, and not built.
"""

from __future__ import annotations

from pathlib import Path

from autodeploy.errors import AutodeployError
from autodeploy.targets import sweep_profiles_target, sweep_target
from autodeploy.variants import Variant
from builders.common import config_value, engine_sources, read_value, step_action


def sweep_analyses(graph, sweeps) -> dict[tuple[str, str], dict]:
    """The analysis of every model the sweeps name, once per model and target it is compiled
    for (in process); keyed by (model, target key)."""
    from autodeploy.sweeps import expand
    from builders.analysis import analyze_file

    root = Path(graph.env.Dir("#").abspath)
    wanted = {}
    for sweep in sweeps:
        for variant in expand(sweep, graph.config):
            target = graph.compile_target(variant)
            wanted[(variant.model, target.key)] = (graph.spec(variant).tflite, target)
    for (model, _), (tflite, _) in wanted.items():
        if not Path(tflite).is_file():  # a converted model: its .tflite is a build output
            raise AutodeployError(
                f"model '{model}' is converted from a float model and is not converted yet; "
                f"run `scons {model}-convert` before a sweep that includes it"
            )
    return {key: analyze_file(tflite, root, target) for key, (tflite, target) in wanted.items()}


def sweep_points(graph, sweep, analyses: dict[tuple[str, str], dict]) -> list:
    """Every variant of `sweep` with whether it can run here (autodeploy.sweeps.SweepPoint)."""
    from autodeploy.sweeps import check, expand

    config = graph.config
    return [
        check(
            variant,
            config.platforms[variant.platform],
            analyses[(variant.model, graph.compile_target(variant).key)],
            config.models[variant.model].max_arena_size,
            graph.env["ENV"]["PATH"],
        )
        for variant in expand(sweep, config)
    ]


def _results(target, source, env):
    from autodeploy.reports import write_sweep_page
    from autodeploy.results import SWEEP_COLUMNS, infeasible_row, write_rows
    from builders.results import disk_row

    request = read_value(source[0])
    graph = env["AUTODEPLOY_GRAPH"]
    out_dir = Path(str(target[0])).parent
    rows = []
    for point in request["points"]:
        variant = Variant(**point["variant"])
        if point["status"] != "ok":
            rows.append(infeasible_row(variant, point["status"], point["reason"]))
            continue
        href = f"../../{variant.report_dir.removeprefix('reports/')}/index.html"
        rows.append({"Status": "ok", "Reason": None, **disk_row(graph, variant), "href": href})
    write_rows(out_dir / "results.csv", rows, SWEEP_COLUMNS)
    write_sweep_page(out_dir, request["sweep"], rows)


class SweepProgress:
    """SCons Progress callback: `[sweep <name>] k/n variants done` as each variant's page comes
    up for building, which is when its profile and power are done (or found up to date). Only the
    sweeps asked for count: a variant shared with another sweep says nothing of that one."""

    def __init__(self, requested: set[str]):
        self.requested = requested  # sweep names
        self.watched: dict[str, list[list]] = {}  # page path -> [sweep name, done, total] entries

    def watch(self, name: str, pages: list) -> None:
        if name not in self.requested:
            return
        entry = [name, 0, len(pages)]
        for page in pages:
            self.watched.setdefault(page[0].abspath, []).append(entry)

    def __call__(self, node) -> None:
        for entry in self.watched.pop(getattr(node, "abspath", None), ()):
            entry[1] += 1
            print(f"[sweep {entry[0]}] {entry[1]}/{entry[2]} variants done", flush=True)


def declare_sweep(env, graph, sweep, analyses: dict, progress: SweepProgress):
    """Declare `sweep-<name>` (analyses: sweep_analyses'); returns its results node (CSV, page)."""
    from autodeploy.reports import SWEEP_PAGE_FILES

    points = sweep_points(graph, sweep, analyses)
    runnable = [p.variant for p in points if p.status == "ok"]
    if sweep.name in progress.requested:
        print(f"[sweep {sweep.name}] {len(points)} variants, {len(runnable)} to build")
        for p in points:
            if p.status != "ok":
                print(f"[sweep {sweep.name}] {p.status}: {p.reason}")  # it names the variant
    request = {
        "sweep": {
            "name": sweep.name,
            "description": sweep.description,
            "models": list(sweep.models),
            "axes": {axis: list(values) for axis, values in sweep.axes.items()},
            "exclude": list(sweep.exclude),
        },
        "points": [
            {"variant": p.variant.__dict__, "status": p.status, "reason": p.reason} for p in points
        ],
    }
    pages = [graph.page(variant) for variant in runnable]
    progress.watch(sweep.name, pages)
    outdir = f"#reports/sweeps/{sweep.name}"
    node = env.Command(
        [f"{outdir}/results.csv", *(f"{outdir}/{name}" for name in SWEEP_PAGE_FILES)],
        config_value(env, request),
        step_action("sweep", _results),
    )
    env.Depends(node, pages + [graph.power(v) for v in runnable])
    env.Depends(node, engine_sources(env, "reports", "results"))
    env.Alias(sweep_target(sweep.name), node)
    env.Alias(sweep_profiles_target(sweep.name), [graph.profile(v) for v in runnable])
    return node
