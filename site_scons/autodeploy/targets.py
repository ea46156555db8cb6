"""The names of the SCons targets every declaration in models.yaml produces.

One scheme for the tool that declares the aliases and for the config check that refuses two
declarations whose targets would merge into one (a model `sweep` and a sweep `profile` would
both make `sweep-profile`, and SCons would silently run both under that name).
"""

from __future__ import annotations

#: What `<model>-<step>` builds, in the order `scons -h` lists them.
MODEL_STEPS = (
    "convert",
    "analyze",
    "sources",
    "firmware",
    "profile",
    "power",
    "report",
    "lib",
    "tflm",
    "vela",
    "mlek",
)

#: Targets over every model or sweep.
AGGREGATES = (*(f"{step}-all" for step in MODEL_STEPS), "sweep-all", "reports")


def model_target(model: str, step: str) -> str:
    return f"{model}-{step}"


def sweep_target(sweep: str) -> str:
    return f"sweep-{sweep}"


def sweep_profiles_target(sweep: str) -> str:
    """Only the sweep's profiles: no power run (which needs a Joulescope on a board)."""
    return f"sweep-{sweep}-profile"


def model_targets(model: str) -> tuple[str, ...]:
    return tuple(model_target(model, step) for step in MODEL_STEPS)


def target_owners(models, sweeps) -> dict[str, list[str]]:
    """Target name -> the declarations ("model 'kws'", "sweep 's'", "built-in") producing it."""
    owners: dict[str, list[str]] = {name: ["the built-in target"] for name in AGGREGATES}
    for model in models:
        for name in model_targets(model):
            owners.setdefault(name, []).append(f"model '{model}'")
    for sweep in sweeps:
        owners.setdefault(sweep_target(sweep), []).append(f"sweep '{sweep}'")
    return owners
