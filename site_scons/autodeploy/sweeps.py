"""Sweeps: expand a sweep of models.yaml into variants and say which of them can run.

A sweep is the cartesian product of its axes for each of its models, minus its exclusions. A
variant that cannot run (the board lacks the memory, toolchain or CPU mode, the model does not fit
where the variant puts it, its weights would be uploaded into PSRAM, which the power image cannot
receive, or the compiler is not installed) is kept with the reason, so the sweep reports it
instead of failing the build.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from .config.loader import Config, Platform, Sweep
from .config.schema import SWEEP_AXES
from .errors import AutodeployError
from .firmware.toolchains import toolchain
from .memory.boot import UPLOADED, no_link_reason
from .memory.placement import place_model
from .npu.system import VelaSetupError, vela_setup
from .variants import Variant, declared_variant

OK, INFEASIBLE, UNAVAILABLE = "ok", "infeasible", "unavailable"


@dataclass(frozen=True)
class SweepPoint:
    variant: Variant
    status: str  # OK, INFEASIBLE (cannot fit or run on the board) or UNAVAILABLE (no compiler)
    reason: str | None = None


def expand(sweep: Sweep, config: Config) -> list[Variant]:
    """Every variant of the sweep, in models-then-axes order, without exclusions or repeats."""
    axes = [a for a in SWEEP_AXES if a in sweep.axes]
    variants: dict[Variant, None] = {}
    for model in sweep.models:
        base = declared_variant(config.models[model])
        for values in itertools.product(*(sweep.axes[a] for a in axes)):
            choice = dict(zip(axes, values, strict=True))
            if not _excluded({"model": model, **choice}, sweep.exclude):
                variants[replace(base, **choice)] = None
    return list(variants)


def _excluded(choice: dict[str, str], rules) -> bool:
    return any(all(choice.get(k) == v for k, v in rule.items()) for rule in rules)


def check(
    variant: Variant,
    platform: Platform,
    analysis: dict,
    max_arena_size: int | None,
    search_path: str | None,
) -> SweepPoint:
    """Can `variant` run? analysis: the model's analysis (its data and arena sizes). Every reason
    starts with the model and variant, like placement errors do."""
    name = f"{variant.model} {variant.name}"
    problem = _board_problem(variant, platform)
    if problem:
        return SweepPoint(variant, INFEASIBLE, f"{name}: {problem}")
    try:
        placed = place_model(
            platform,
            analysis,
            variant.model_location,
            variant.arena_location,
            max_arena_size,
            what=name,
        )
        if platform.npu:  # the Vela settings must agree with where the weights and arena went
            requested = {"model_location": variant.model_location}
            vela_setup(
                platform,
                {"requested": requested, "placement": placed.to_dict()},
                {"accelerator": variant.accelerator, "memory_mode": variant.memory_mode,
                 "optimise": variant.optimise},
            )  # fmt: skip
    except VelaSetupError as err:
        return SweepPoint(variant, INFEASIBLE, f"{name}: {err}")
    except AutodeployError as err:
        return SweepPoint(variant, INFEASIBLE, str(err))
    if placed.model_image == UPLOADED:  # a sweep measures power too, as the reference tool does
        return SweepPoint(variant, INFEASIBLE, f"{name}: {no_link_reason('power app')}")
    if not toolchain(variant.toolchain).available(search_path):
        reason = f"{name}: {variant.toolchain} is not installed (not found on PATH)"
        return SweepPoint(variant, UNAVAILABLE, reason)
    return SweepPoint(variant, OK)


def _board_problem(variant: Variant, platform: Platform) -> str | None:
    if variant.toolchain not in platform.toolchains:
        return (
            f"{platform.name} does not list toolchain {variant.toolchain} "
            f"(it has: {', '.join(platform.toolchains)})"
        )
    if variant.cpu_mode not in platform.cpu_modes:
        return f"{platform.name} has no CPU mode {variant.cpu_mode}"
    if variant != variant.cpu_variant and platform.npu is None:
        return f"{platform.name} has no NPU for the Vela settings {variant.npu_key}"
    return None  # memories: place() names a missing one, or one that cannot hold that purpose
