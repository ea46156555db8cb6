"""The profile step of one variant, end to end: host inputs and reference, the board session,
the comparison, the reports, and (after writing them) the failure when outputs differ."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from ..board import EmulatorError, run_on_board
from ..config.loader import Platform
from ..dataset import Dataset
from ..errors import AutodeployError, ValidationError
from ..reference import ReferenceFailed, layer_output_crcs, reference_outputs_with_fallback
from ..rpc.client import BoardClient
from ..rpc.errors import BoardTimeoutError
from ..rpc.inputs import analysis_inputs
from ..run_record import run_record, tflite_sha256
from ..timing.capture import PluginCapture
from ..validation.classification import classification
from ..validation.compare import compare_outputs
from .cycles import profile_estimate
from .hint import first_differing_layer, hint_text
from .pmu_capture import PmuRequest
from .report import build_profile, write_profile
from .session import run_session
from .timing import Timing


@dataclass(frozen=True)
class ProfileRequest:
    model: str
    variant: str
    analysis: dict
    placement: dict  # placement.json of the variant: {"placement": {...}}
    tflite: bytes
    platform: Platform
    cpu_mode: str
    runs: int
    seed: int
    elf: str | os.PathLike
    log_path: str | os.PathLike  # QEMU or flash tool output
    device: str | None = None  # DEVICE=...: a real board's serial URL, or labgrid:... (a farm)
    coordinator: str | None = None  # LG_COORDINATOR, for a farm
    toolchain: dict | None = None  # {"name", "version"} of the compiler that built the ELF
    image_sizes: dict | None = None  # the firmware's sizes.json
    dataset: Dataset | None = None  # real inputs, each sample uploaded (None: seeded inputs)
    upload: bytes | None = None  # model data the host uploads first (the ELF's upload image)
    # the emulator runs the QEMU plugin for the timing model (scons: on, CYCLE_ESTIMATE=off)
    cycle_estimate: bool = False
    pmu: PmuRequest | None = None  # core counter events counted per layer (None: none)


def host_inputs(analysis: dict, seed: int, runs: int) -> list:
    """The seeded inputs of every run, as the board's fill_inputs generates them."""
    return [analysis_inputs(analysis, seed, run) for run in range(runs)]


def profile_variant(
    request: ProfileRequest,
    paths,
    progress: Callable[[str], None] = print,
    client_factory=None,
) -> dict:
    """Run, compare and write the reports to paths (csv, md, json); returns the profile.
    Raises ValidationError after writing them when the outputs differ from the reference."""
    client_factory = client_factory or BoardClient
    r = request
    inputs = r.dataset.runs if r.dataset else host_inputs(r.analysis, r.seed, r.runs)
    reference = reference_outputs_with_fallback(r.tflite, inputs)

    def session_on(board):
        try:
            with client_factory(board.url, baud=board.baud) as client:
                return run_session(
                    client,
                    r.analysis,
                    r.model,
                    inputs,
                    reference.outputs,
                    r.seed,
                    progress,
                    upload_all=r.dataset is not None,
                    upload=r.upload,
                    pmu=r.pmu,
                )
        except AutodeployError as err:
            died = board.exit_report()  # a crashed QEMU is the real cause of a link error
            if died:
                raise EmulatorError(f"{err}\n{died}") from None
            raise

    with PluginCapture(r.platform, r.elf, r.device, r.cycle_estimate) as capture:
        board, session = run_on_board(
            capture.platform,
            r.elf,
            r.log_path,
            r.device,
            session_on,
            lost=(BoardTimeoutError,),  # the board stopped answering: a farm tries another
            coordinator=r.coordinator,
            what=f"{r.model} {r.variant}",
            progress=progress,
        )
        mode = r.platform.cpu_modes[r.cpu_mode]
        timing = Timing(
            board.measured, session.info.counter_hz, mode.clock_hz, mode.name, board.description
        )
        counts = capture.counts()
    estimate = None
    if counts is not None:
        estimate = profile_estimate(
            counts,
            r.platform,
            len(session.layers),
            timing.counts(session.profile_ticks),
            mode.clock_hz,
        )
    comparisons = compare_outputs(session.outputs, reference.outputs)
    labels = r.dataset.labels if r.dataset else None
    classes = classification(r.analysis["outputs"], session.outputs, reference.outputs, labels)
    mismatch = None
    if session.mismatched_runs:
        mismatch = _mismatch(r, inputs, reference.kind, session, comparisons)
    profile = build_profile(
        model=r.model,
        variant=r.variant,
        platform=r.platform.name,
        analysis=r.analysis,
        placement=r.placement,
        session=session,
        timing=timing,
        estimate=estimate,
        comparisons=comparisons,
        classification=classes,
        inputs=_inputs_record(r),
        reference=reference,
        mismatch=mismatch,
        toolchain=r.toolchain or {"name": "unknown", "version": "unknown"},
        run=run_record(
            tflite_sha256(r.tflite), r.seed, r.dataset.record["sha256"] if r.dataset else None
        ),
        image_sizes=r.image_sizes,
    )
    write_profile(paths, profile)
    if mismatch:
        raise ValidationError(
            f"{mismatch['message']}. Reports: {paths[1]}. Rebuild the firmware from clean; if "
            "the difference stays, the runtime computes that layer differently from the "
            "reference (its parameters are in the model's analysis.md)"
        )
    return profile


def _inputs_record(r: ProfileRequest) -> dict:
    """Which inputs the runs used, for the reports."""
    sequence = {"sequence": True} if r.analysis.get("stateful") else {}
    if r.dataset:
        return {"kind": "dataset", **r.dataset.record, **sequence}
    return {"kind": "seeded", "seed": r.seed, "samples": r.runs, **sequence}


def _mismatch(r: ProfileRequest, inputs, reference_kind: str, session, comparisons) -> dict:
    run = session.mismatched_runs[0]
    earlier = inputs[:run] if r.analysis.get("stateful") else []
    try:
        kind, crcs = layer_output_crcs(r.tflite, inputs[run], earlier)
        hint = first_differing_layer(session.mismatch_layers, crcs)
        hint_line = hint_text(hint, kind)
    except ReferenceFailed as err:
        hint, hint_line = None, f"no layer hint: the reference's layer outputs failed ({err})"
    wrong = [c for c in comparisons if not c.exact]
    first = wrong[0].first_mismatch
    message = (
        f"{r.model}: the board's outputs differ from the {reference_kind} reference in "
        f"{len(session.mismatched_runs)} of {len(inputs)} runs (output "
        f"{wrong[0].output}, first at run {first['run']} element {first['element']}: board "
        f"{first['board']}, reference {first['reference']}; max abs diff "
        f"{max(c.max_abs_diff for c in wrong):g}); {hint_line}"
    )
    return {"run": run, "layer_hint": hint, "message": message}
