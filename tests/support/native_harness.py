"""Run TFLite models through the real code generator + C runtime on the host, and compare with
LiteRT.

    outs = run_native(model_bytes, [inputs_set0, inputs_set1, ...])
    assert_bit_exact(model_bytes, n_inputs=4, seed=0)
    assert_bit_exact_many([("case a", model_a), ("case b", model_b)], n_inputs=3)

Every model goes through the firmware's pipeline (compiled for the board's target, the
generator, the model runner): see generated_program. The asserts run every case on the host and
on both emulated boards with both compilers; several models share one program (one compile, one
QEMU start per board), so a test batches its cases into one assert_bit_exact_many call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autodeploy.reference.engines import (  # noqa: F401  (re-exported for the tests)
    litert_reference,
    tflm_reference,
)
from autodeploy.tflite.reader import parse_model

from .generated_program import (  # noqa: F401  (re-exported for the tests)
    CC,
    CFLAGS,
    NP_DTYPES,
    REPO,
    RUNTIME,
    GeneratedProgram,
    runtime_library,
    workdir,
)

#: Every build a kernel test runs on: the host's portable C and both emulated cores with both
#: compilers (each runs its own kernel variants).
BOARDS = ("host", "m55-gcc", "m55-clang", "m4-gcc", "m4-clang")


def run_native(model_bytes: bytes, input_sets) -> list[list[np.ndarray]]:
    return GeneratedProgram([model_bytes], unity=True).run(0, input_sets)


# -- comparison ----------------------------------------------------------------------------------


def random_inputs(model_bytes: bytes, n_inputs: int, seed: int) -> list[list[np.ndarray]]:
    """Seeded random input sets: integers over their full range (int32: +-2^20), floats in
    the range their quantization suggests (else [-8, 8])."""
    sg = parse_model(model_bytes, "<random>").main
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(n_inputs):
        arrs = []
        for i in sg.inputs:
            t = sg.tensors[i]
            dt = np.dtype(NP_DTYPES[t.dtype])
            if dt.kind == "f":
                lo, hi = -8.0, 8.0
                arrs.append(rng.uniform(lo, hi, t.shape).astype(dt))
            elif dt.kind == "b":
                arrs.append(rng.integers(0, 2, t.shape).astype(dt))
            else:
                info = np.iinfo(dt)
                lo, hi = max(info.min, -(1 << 20)), min(info.max, 1 << 20)
                arrs.append(rng.integers(lo, hi, t.shape, endpoint=True).astype(dt))
        sets.append(arrs)
    return sets


def compare(name: str, expected, got) -> list[str]:
    """Human-readable mismatch descriptions (empty when bit-exact)."""
    problems = []
    for s, (exp_set, got_set) in enumerate(zip(expected, got, strict=True)):
        for k, (e, g) in enumerate(zip(exp_set, got_set, strict=True)):
            e = np.ascontiguousarray(e)
            g = np.ascontiguousarray(g)
            if e.shape != g.shape and e.size == g.size:
                g = g.reshape(e.shape)
            if e.shape != g.shape or e.dtype != g.dtype:
                problems.append(
                    f"{name}: set {s} output {k}: shape/dtype {g.shape}/{g.dtype}, "
                    f"expected {e.shape}/{e.dtype}"
                )
                continue
            eb = e.view(np.uint8).reshape(-1)
            gb = g.view(np.uint8).reshape(-1)
            diff = np.flatnonzero(eb != gb)
            if diff.size:
                first = int(diff[0]) // e.itemsize
                ef, gf = e.reshape(-1), g.reshape(-1)
                n_el = int(np.count_nonzero(ef != gf))
                idx = np.unravel_index(first, e.shape)
                problems.append(
                    f"{name}: set {s} output {k}: {diff.size} differing bytes ({n_el} elements), "
                    f"first at element {first} {tuple(int(x) for x in idx)}: got {gf[first]}, "
                    f"expected {ef[first]}; max abs diff "
                    f"{np.max(np.abs(ef.astype(np.float64) - gf.astype(np.float64)))}"
                )
    return problems


def assert_bit_exact_many(
    cases: Sequence[tuple[str, bytes]] | Sequence[bytes],
    n_inputs: int = 3,
    seed: int = 0,
    inputs: dict[int, list] | None = None,
    reference=litert_reference,
    boards: Sequence[str] = BOARDS,
) -> None:
    """Compile all models into one program per board, run each on seeded random inputs (or
    inputs[k]), and require zero differing bytes against `reference` on every board: the host
    (portable C) and the emulated boards (their Helium or DSP variants, gcc and clang), where
    one QEMU start runs every case. Reports every failing case."""
    named = [c if isinstance(c, tuple) else (f"case {k}", c) for k, c in enumerate(cases)]
    jobs, expected = [], []
    for k, (_, model) in enumerate(named):
        sets = (inputs or {}).get(k) or random_inputs(model, n_inputs, seed + k)
        jobs.append((k, sets))
        expected.append(reference(model, sets))
    problems = []
    for board in boards:
        prog = GeneratedProgram([m for _, m in named], unity=True, board=board)
        for (name, _), want, got in zip(named, expected, prog.run_many(jobs), strict=True):
            problems += compare(f"[{board}] {name}", want, got)
    if problems:
        shown = "\n".join(problems[:40])
        more = f"\n... {len(problems) - 40} more" if len(problems) > 40 else ""
        raise AssertionError(f"{len(problems)} mismatching outputs:\n{shown}{more}")


def assert_bit_exact(
    model_bytes: bytes,
    n_inputs: int = 3,
    seed: int = 0,
    inputs=None,
    reference=litert_reference,
    boards: Sequence[str] = BOARDS,
) -> None:
    """Single-model assert_bit_exact_many; `inputs` is an optional list of input sets."""
    assert_bit_exact_many(
        [("model", model_bytes)],
        n_inputs=n_inputs,
        seed=seed,
        inputs={0: inputs} if inputs is not None else None,
        reference=reference,
        boards=boards,
    )
