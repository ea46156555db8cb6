"""The timing model as data: what each instruction class costs on a core, what Helium's beats
cost, and what each memory adds per line fill (through the data cache) or per access (without).

Read from the platform's `timing:` section and the core file platforms/cores/<core>.yaml; every
constant carries its source (a manual, a datasheet, or the published figure it was calibrated
against), which the reports repeat."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..config import schema as S
from ..config.yaml_source import MapNode, Source, load_yaml
from ..home import tool_root

#: The plugin's scalar instruction classes (emulator/plugin/classify.h); Helium classes (mve_*)
#: are costed by their beats instead.
SCALAR_CLASSES = (
    "alu", "mul", "load8", "load16", "load32", "load64", "loadm", "store8", "store16",
    "store32", "store64", "storem", "branch", "fp", "fp_load", "fp_store", "other",
)  # fmt: skip
CORES_FOLDER = Path("platforms") / "cores"


@dataclass(frozen=True)
class Cost:
    value: float
    source: str


@dataclass(frozen=True)
class HeliumTiming:
    beats_per_cycle: Cost
    overlap_saving: Cost  # cycles saved per Helium instruction after one of the other group
    chain_saving: Cost  # cycles saved per Helium instruction after one of the same group


@dataclass(frozen=True)
class CoreTiming:
    core: str
    file: str
    classes: dict[str, Cost]  # cycles per executed instruction, zero-wait memory
    taken_branch: Cost  # cycles added per taken branch
    helium: HeliumTiming | None


@dataclass(frozen=True)
class MemoryCost:
    """What one line fill (cached memory) or one access (uncached) costs: cycles + ns x clock."""

    cycles: int
    ns: float
    source: str

    def at(self, clock_hz: float) -> int:
        # a latency in ns takes whole cycles of the CPU clock
        return self.cycles + math.ceil(round(self.ns * clock_hz / 1e9, 9))


@dataclass(frozen=True)
class DataCache:
    """A data cache in front of some memories (set-associative, LRU, write-back,
    write-allocate), which the QEMU plugin simulates."""

    size_bytes: int
    ways: int
    line_bytes: int
    memories: tuple[str, ...]  # the platform's memories whose data accesses it caches
    source: str = ""

    def geometry_problem(self) -> str | None:
        """What makes size, ways and line no cache, or None."""
        size, ways, line = self.size_bytes, self.ways, self.line_bytes
        if (
            line > 0
            and not line & (line - 1)
            and ways > 0
            and size > 0
            and not size % (ways * line)
        ):
            return None
        return (
            f"{size} bytes in {ways} ways of {line}-byte lines is not a cache: the line must be a "
            "power of two and the size a positive multiple of ways * line"
        )


@dataclass(frozen=True)
class TimingModel:
    core: CoreTiming
    memories: dict[str, MemoryCost]
    data_cache: DataCache | None

    def __hash__(self) -> int:
        return hash((self.core.core, tuple(self.memories)))


def read_timing(node: MapNode, src: Source, project_dir: Path, core: str, memories) -> TimingModel:
    """A platform's `timing:` section (`memories`: the platform's Memory entries by name)."""
    v = S.read_section(node, S.TIMING, "timing", src)
    costs_node = v["memories"][1]
    costs: dict[str, MemoryCost] = {}
    for name, entry in S.expect_map(costs_node, "timing.memories", src).value.items():
        path = f"timing.memories.{name}"
        S.check_memory(name, memories, costs_node.key_lines[name], path, src)
        m = S.read_section(entry, S.MEMORY_COST, path, src)
        costs[name] = MemoryCost(m["cycles"][0], float(m["ns"][0]), m["source"][0])
    missing = [name for name in memories if name not in costs]
    if missing:
        raise src.error(
            costs_node.line,
            "timing.memories",
            f"no cost for {', '.join(missing)}: every memory of the platform needs "
            "{cycles, ns, source}",
        )
    cache = None
    if v.get("data_cache", (None, None))[0] is not None:
        cache = _read_cache(v["data_cache"][1], src, memories)
    return TimingModel(_read_core(project_dir, core, src), costs, cache)


def _read_cache(node, src: Source, memories) -> DataCache:
    c = S.read_section(node, S.DATA_CACHE, "timing.data_cache", src)
    cached, cached_node = c["memories"]
    size, ways, line = c["size_kb"][0] * 1024, c["ways"][0], c["line_bytes"][0]
    cache = DataCache(size, ways, line, tuple(cached), c["source"][0])
    problem = cache.geometry_problem()
    if problem:
        raise src.error(node.line, "timing.data_cache", problem)
    for i, name in enumerate(cached):
        path = f"timing.data_cache.memories[{i}]"
        S.check_memory(name, memories, cached_node.value[i].line, path, src)
    return cache


def core_file(project_dir: Path, core: str) -> Path | None:
    """The project's platforms/cores/<core>.yaml, else the tool's own (a project made by
    `autodeploy` copies only its platform file)."""
    for root in (project_dir, tool_root()):
        path = root / CORES_FOLDER / f"{core}.yaml"
        if path.is_file():
            return path
    return None


def _read_core(project_dir: Path, core: str, platform_src: Source) -> CoreTiming:
    path = core_file(project_dir, core)
    display = (CORES_FOLDER / f"{core}.yaml").as_posix()
    if path is None:
        raise platform_src.error(
            1,
            "timing",
            f"no core timing file {display} for {core}: add one (see cortex-m55.yaml) or "
            "remove the platform's timing section",
        )
    src, root = load_yaml(path, display)
    v = S.read_section(root, S.CORE_TIMING, "", src, "a mapping of core timing settings")
    if v["core"][0] != core:
        raise src.error(v["core"][1].line, "core", f"'{v['core'][0]}' in a file for {core}")
    classes_node = v["classes"][1]
    classes: dict[str, Cost] = {}
    for name, entry in S.expect_map(classes_node, "classes", src).value.items():
        if name not in SCALAR_CLASSES:
            raise src.error(
                classes_node.key_lines[name],
                f"classes.{name}",
                f"unknown instruction class '{name}'{S.fix(name, SCALAR_CLASSES)}",
            )
        classes[name] = _cost(entry, S.CLASS_COST, f"classes.{name}", "cycles", src)
    missing = [name for name in SCALAR_CLASSES if name not in classes]
    if missing:
        raise src.error(classes_node.line, "classes", f"no cost for {', '.join(missing)}")
    helium = None
    if "helium" in v:
        h = S.read_section(v["helium"][1], S.HELIUM_TIMING, "helium", src)
        helium = HeliumTiming(
            _cost(h["beats_per_cycle"][1], S.HELIUM_VALUE, "helium.beats_per_cycle", "value", src),
            _cost(h["overlap_saving"][1], S.CLASS_COST, "helium.overlap_saving", "cycles", src),
            _cost(h["chain_saving"][1], S.CLASS_COST, "helium.chain_saving", "cycles", src),
        )
    taken = _cost(v["taken_branch"][1], S.CLASS_COST, "taken_branch", "cycles", src)
    return CoreTiming(core, display, classes, taken, helium)


def _cost(node, fields: dict, path: str, key: str, src: Source) -> Cost:
    c = S.read_section(node, fields, path, src)
    return Cost(float(c[key][0]), c["source"][0])
