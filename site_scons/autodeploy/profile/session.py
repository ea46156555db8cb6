"""One profiling session with a connected board (any object with BoardClient's methods).

Checks the firmware serves this model (build id, every tensor's dtype, shape and size), uploads
the model's data when the image carries none (a model in PSRAM, autodeploy.rpc.upload), then runs
`runs` inferences: run 0 uploads the host's seeded inputs (exercising upload) and is profiled
after one warm-up; later runs let the board generate the same seeded inputs (no upload: host ->
board is slow on the emulator) and check their CRCs against the host's, unless every run's inputs
are uploaded (a dataset's samples, which the board cannot generate). Outputs are compared with
the reference as they arrive; the first mismatching run is re-invoked with profiling to get its
per-layer output CRCs for the hint.

A stateful model (its analysis says so: variables carry state between invokes) runs its inputs as
one sequence, compared step by step with the reference's run of the same sequence: no warm-up
(it would advance the state), every run profiled (so the first mismatching one has its layer
CRCs without a re-invoke, which would advance the state too), and an invoke the link had to
resend fails the session, since the board may have run it twice."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..codegen.generator import NP_DTYPES
from ..errors import AutodeployError
from ..progress import progress_line
from ..rpc.inputs import crc32
from ..rpc.upload import UploadResult, upload_model_data
from .pmu_capture import PmuRequest, capture_counts, select_first_group


class StaleFirmwareError(AutodeployError):
    """The firmware on the board was built from another model or another version of it."""


class BoardMismatchError(AutodeployError):
    """The board serves tensors or inputs that differ from what the host expects."""


class StateLostError(AutodeployError):
    """A stateful model's invoke was resent: the board's state may no longer match the host's."""


@dataclass(frozen=True)
class SessionResult:
    info: object  # BoardInfo
    run_ticks: list[int]  # counter ticks of each run's measured invocation
    profile_ticks: int  # run 0's invocation, profiled (hook time excluded)
    layers: list  # LayerStat of run 0
    outputs: list[list[np.ndarray]]  # per run, per output
    mismatched_runs: list[int]  # runs whose outputs differ from the reference
    mismatch_layers: list | None  # LayerStat of the first of them (per-layer output CRCs)
    retries: int
    upload: UploadResult | None = None  # the model's data, when the image carries none
    pmu: object | None = None  # run 0's per-layer core counts: PmuCapture or PmuUnavailable


def invoke_timeout_s(macs: int, warmup: int) -> float:
    """Generous: 10 s plus 5 M MACs per second per invocation (the emulator runs far faster)."""
    return 10.0 + macs * (warmup + 1) / 5e6


def _board_shape(shape) -> list[int]:
    # the runtime describes tensors of more than 6 dimensions with merged leading dimensions
    shape = list(shape)
    return [math.prod(shape[:-5]), *shape[-5:]] if len(shape) > 6 else shape


def check_firmware(client, analysis: dict, model: str):
    """The board's BoardInfo, after checking it serves exactly the analysed model."""
    info = client.info()
    expected = analysis["model"]["sha256"][:16]
    if info.build_id != expected:
        raise StaleFirmwareError(
            f"{model}: the firmware on the board serves model '{info.model}' build "
            f"{info.build_id}, but {analysis['model']['path']} is build {expected}: the firmware "
            "is stale or for another model; rebuild and flash it (scons "
            f"{model}-profile rebuilds it; on a real board check the flash step)"
        )
    for is_output, entries in ((False, analysis["inputs"]), (True, analysis["outputs"])):
        kind = "output" if is_output else "input"
        count = info.num_outputs if is_output else info.num_inputs
        if count != len(entries):
            raise BoardMismatchError(
                f"{model}: the board reports {count} {kind}s, the model has {len(entries)}; "
                "rebuild the firmware"
            )
        for k, entry in enumerate(entries):
            t = client.tensor(is_output, k)
            got = (t.dtype, list(t.shape), t.bytes)
            want = (entry["dtype"], _board_shape(entry["shape"]), entry["bytes"])
            if got != want:
                raise BoardMismatchError(
                    f"{model}: {kind} {k} ('{entry['name']}') on the board is {_describe(*got)}, "
                    f"the model says {_describe(*want)}; rebuild the firmware"
                )
    return info


def _describe(dtype, shape, size) -> str:
    return f"{dtype} {'x'.join(map(str, shape))} ({size} bytes)"


def _same(outputs: list[np.ndarray], reference: list[np.ndarray]) -> bool:
    return all(
        np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
        for a, b in zip(outputs, reference, strict=True)
    )


def run_session(
    client,
    analysis: dict,
    model: str,
    inputs: list[list[np.ndarray]],
    reference: list[list[np.ndarray]],
    seed: int,
    progress: Callable[[str], None] = print,
    upload_all: bool = False,
    upload: bytes | None = None,
    pmu: PmuRequest | None = None,
) -> SessionResult:
    """inputs[run]: the host's inputs (seeded ones, or uploaded ones with `upload_all`);
    reference[run]: the reference outputs for them; upload: the model data to upload first (the
    ELF's upload image), if any; pmu: the core counter events to count per layer in run 0."""
    info = check_firmware(client, analysis, model)
    uploaded = upload_model_data(client, upload, model, progress) if upload else None
    stateful = bool(analysis.get("stateful"))
    macs = analysis["totals"]["macs"]
    out_specs = analysis["outputs"]
    runs = len(inputs)
    run_ticks, outputs = [], []
    layers, profile_ticks = [], 0
    mismatched_runs, mismatch_layers = [], None
    plan = select_first_group(client, pmu, model, stateful) if pmu else None
    counts = None
    for run, host_inputs in enumerate(inputs):
        first = run == 0
        if first or upload_all:
            for k, array in enumerate(host_inputs):
                client.set_input(k, np.ascontiguousarray(array).tobytes())
        else:
            _check_board_inputs(client.fill_inputs(seed, run), host_inputs, model, run)
        warmup = 1 if first and not stateful else 0
        retries = client.retries_used
        ticks = client.invoke(
            warmup=warmup, profile=first or stateful, timeout_s=invoke_timeout_s(macs, warmup)
        )
        if stateful and client.retries_used != retries:
            raise StateLostError(
                f"{model}: run {run}: the link resent an invoke (its reply was lost or "
                "corrupted), so the board may have run it twice; the model is stateful, so its "
                "state may no longer match the reference's. Run the profile again"
            )
        if first:
            profile_ticks, layers = ticks, client.layer_stats()
        run_outputs = [
            np.frombuffer(client.get_output(k), NP_DTYPES[s["dtype"]]).reshape(s["shape"])
            for k, s in enumerate(out_specs)
        ]
        outputs.append(run_outputs)
        if first and plan:
            again = partial(
                client.invoke, warmup=warmup, profile=True, timeout_s=invoke_timeout_s(macs, warmup)
            )
            counts = capture_counts(client, plan, layers, again, model, progress)
        if not _same(run_outputs, reference[run]):
            mismatched_runs.append(run)
        if mismatched_runs == [run]:
            if first:
                mismatch_layers = layers
            elif stateful:
                mismatch_layers = client.layer_stats()
            else:
                client.invoke(warmup=0, profile=True, timeout_s=invoke_timeout_s(macs, 0))
                mismatch_layers = client.layer_stats()
        run_ticks.append(ticks)
        progress(progress_line("profile", model, "run", run + 1, runs))
    return SessionResult(
        info=info,
        run_ticks=run_ticks,
        profile_ticks=profile_ticks,
        layers=layers,
        outputs=outputs,
        mismatched_runs=mismatched_runs,
        mismatch_layers=mismatch_layers,
        retries=client.retries_used,
        upload=uploaded,
        pmu=counts,
    )


def _check_board_inputs(crcs: list[int], host_inputs: list[np.ndarray], model: str, run: int):
    for k, (crc, array) in enumerate(zip(crcs, host_inputs, strict=True)):
        expected = crc32(array)
        if crc != expected:
            raise BoardMismatchError(
                f"{model}: run {run}: the board generated input {k} with CRC-32 {crc:#010x}, the "
                f"host's seeded generator gives {expected:#010x}: firmware and host generator "
                "are out of step (firmware/rpc/src/seeded.c vs autodeploy/rpc/inputs.py); "
                "rebuild the firmware"
            )
