"""Fuzz the .tflite reader with deterministic mutations of the shipped models.

Every parse must either succeed (and then produce a self-consistent Model) or raise
TfliteFormatError with a well-formed message. Anything else fails the test and prints the
mutation (model, kind, position, value, seed) so it can be reproduced with `_mutate`.
"""

from __future__ import annotations

import bisect
import collections
import random
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import tflite

from autodeploy.errors import TfliteFormatError
from autodeploy.tflite.model import Model
from autodeploy.tflite.reader import parse_model

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
HINT = "Re-export the model with the TFLite converter or check that the file is a .tflite."
BASE_SEED = 20240611
HANG_LIMIT_S = 5.0  # a hang detector, not a performance test
BIG_MODELS = {
    "armmlzoo_mobilenet_v2_1.0_224_int8.tflite",
    "mobilenet_v3_small_a075_224_int8.tflite",
}
MUTATIONS_SMALL = 720  # per small model (9 models)
MUTATIONS_BIG = 96  # per big model (2 models)


@dataclass
class Layout:
    """Where the flatbuffer structure of a model lives (found with the tflite package)."""

    data: bytes
    tables: list[int]  # table start positions
    vtables: list[int]  # vtable start positions
    meta_words: list[int]  # 4-aligned positions outside buffer data (the flatbuffer metadata)


def _layout(data: bytes) -> Layout:
    m = tflite.Model.GetRootAs(data, 0)
    tables = [m._tab.Pos]
    data_ranges = []
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        tables.append(b._tab.Pos)
        if b.DataLength():
            start = b._tab.Vector(b._tab.Offset(4))
            data_ranges.append((start, start + b.DataLength()))
    for i in range(m.OperatorCodesLength()):
        tables.append(m.OperatorCodes(i)._tab.Pos)
    for s in range(m.SubgraphsLength()):
        sg = m.Subgraphs(s)
        tables.append(sg._tab.Pos)
        for i in range(sg.TensorsLength()):
            t = sg.Tensors(i)
            tables.append(t._tab.Pos)
            if t.Quantization() is not None:
                tables.append(t.Quantization()._tab.Pos)
        for i in range(sg.OperatorsLength()):
            op = sg.Operators(i)
            tables.append(op._tab.Pos)
            if op.BuiltinOptions() is not None:
                tables.append(op.BuiltinOptions().Pos)
    vtables = sorted({p - struct.unpack_from("<i", data, p)[0] for p in tables})
    data_ranges.sort()
    starts = [r[0] for r in data_ranges]
    meta = []
    for pos in range(0, len(data) - 3, 4):
        k = bisect.bisect_right(starts, pos) - 1
        if k >= 0 and data_ranges[k][0] <= pos < data_ranges[k][1]:
            continue
        meta.append(pos)
    return Layout(data, sorted(tables), vtables, meta)


def _adversarial(rng: random.Random, size: int) -> int:
    return rng.choice(
        [
            0,
            0xFFFFFFFF,
            0x7FFFFFFF,
            0x80000000,
            size,
            size - 4,
            size + 4,
            rng.randrange(1, 64),
            rng.randrange(64, 4096),
            rng.randrange(size // 2, size + 1) if size > 1 else 1,
            rng.randrange(0, 1 << 32),
            (-rng.randrange(1, 64)) & 0xFFFFFFFF,
        ]
    )


KINDS = (
    "truncate_tiny",
    "truncate",
    "flip_head",
    "flip_meta",
    "flip_any",
    "word_head",
    "word_meta",
    "root_offset",
    "soffset",
    "vtable_entry",
    "vtable_header",
    "delete_meta",
)


def _mutate(layout: Layout, kind: str, rng: random.Random) -> tuple[bytes, int, int]:
    """Apply one mutation; returns (mutated bytes, position, value)."""
    data = layout.data
    size = len(data)
    if kind == "truncate_tiny":
        n = rng.randrange(0, 17)
        return data[:n], n, 0
    if kind == "truncate":
        n = rng.randrange(0, size)
        return data[:n], n, 0
    if kind == "delete_meta":  # shifts everything after a metadata position
        pos = rng.choice(layout.meta_words) + rng.randrange(4)
        n = rng.randrange(1, 65)
        return data[:pos] + data[pos + n :], pos, n
    out = bytearray(data)
    if kind.startswith("flip"):
        if kind == "flip_head":
            positions = [rng.randrange(0, min(2048, size)) for _ in range(rng.randrange(1, 4))]
        elif kind == "flip_meta":
            positions = [rng.choice(layout.meta_words) + rng.randrange(4)]
        else:
            positions = [rng.randrange(size) for _ in range(rng.randrange(1, 9))]
        value = 0
        for p in positions:
            value = 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
            out[p] ^= value
        return bytes(out), positions[0], value
    if kind == "word_head":
        pos = rng.randrange(0, min(2048, size) // 4) * 4
    elif kind == "word_meta":
        pos = rng.choice(layout.meta_words)
    elif kind == "root_offset":
        pos = 0
    elif kind == "soffset":
        pos = rng.choice(layout.tables)
    elif kind == "vtable_entry":
        vt = rng.choice(layout.vtables)
        vt_size = struct.unpack_from("<H", data, vt)[0]
        pos = vt + 2 * rng.randrange(0, max(1, vt_size // 2))
        value = rng.choice([0, 2, 4, 0xFFFF, 0x7FFF, 0x8000, rng.randrange(0, 0x10000)])
        struct.pack_into("<H", out, pos, value)
        return bytes(out), pos, value
    elif kind == "vtable_header":
        pos = rng.choice(layout.vtables)
    else:
        raise AssertionError(kind)
    value = _adversarial(rng, size)
    struct.pack_into("<I", out, pos, value)
    return bytes(out), pos, value


def _check_consistent(m: Model, size: int) -> None:
    """An accepted model must satisfy the invariants the reader promises."""
    assert m.file_size == size and m.version == 3 and m.subgraphs
    for sg in m.subgraphs:
        n = len(sg.tensors)
        assert all(0 <= i < n for i in sg.inputs + sg.outputs)
        for t in sg.tensors:
            assert all(d >= 0 for d in t.shape)
            assert t.shape_signature is None or all(d >= -1 for d in t.shape_signature)
            assert t.data is None or 0 < len(t.data) <= size
            q = t.quantization
            if q is not None:
                assert len(q.scale) == len(q.zero_point) > 0
        for op in sg.operators:
            assert all(-1 <= i < n for i in op.inputs)
            assert all(0 <= i < n for i in op.outputs + op.intermediates)
            assert op.opcode in m.operator_codes


def _run_one(name: str, data: bytes) -> tuple[str, float, str]:
    """Parse once; returns (outcome, seconds, message). Raises AssertionError on a bug."""
    t0 = time.perf_counter()
    try:
        m = parse_model(data, f"models/{name}")
    except TfliteFormatError as e:
        dt = time.perf_counter() - t0
        msg = str(e)
        assert msg.startswith(f"models/{name}: not a valid TFLite flatbuffer: "), msg
        assert msg.endswith(HINT), msg
        assert "unexpected" not in msg, msg  # the reader's last-resort net caught a bug
        return "rejected", dt, msg
    dt = time.perf_counter() - t0
    _check_consistent(m, len(data))
    return "accepted", dt, ""


def test_fuzz_mutations():
    started = time.perf_counter()
    stats: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    slowest = (0.0, "")
    total = 0
    for path in sorted(MODELS_DIR.glob("*.tflite")):
        layout = _layout(path.read_bytes())
        count = MUTATIONS_BIG if path.name in BIG_MODELS else MUTATIONS_SMALL
        for i in range(count):
            seed = f"{BASE_SEED}:{path.name}:{i}"
            rng = random.Random(seed)
            kind = KINDS[i % len(KINDS)]
            mutated, pos, value = _mutate(layout, kind, rng)
            where = f"model={path.name} kind={kind} pos={pos} value={value:#x} seed={seed!r}"
            try:
                outcome, dt, _ = _run_one(path.name, mutated)
            except Exception as e:  # noqa: BLE001 - report the reproducer, then fail
                pytest.fail(f"reader bug on mutation {where}: {type(e).__name__}: {e}")
            stats[kind][outcome] += 1
            total += 1
            if dt > slowest[0]:
                slowest = (dt, where)
    elapsed = time.perf_counter() - started
    accepted = sum(c["accepted"] for c in stats.values())
    rejected = sum(c["rejected"] for c in stats.values())
    print(f"\nfuzz: {total} mutations, {accepted} accepted, {rejected} rejected, {elapsed:.1f} s")
    for kind in KINDS:
        c = stats[kind]
        print(f"  {kind:14s} accepted {c['accepted']:4d}  rejected {c['rejected']:4d}")
    print(f"  slowest parse {slowest[0] * 1000:.1f} ms ({slowest[1]})")
    assert total >= 2000
    assert slowest[0] < HANG_LIMIT_S, f"parse took {slowest[0]:.1f} s: {slowest[1]}"
    # The mutations must actually exercise the error paths, not only harmless weight bytes.
    # (Overwrites in the metadata region are often accepted: strings, alignment padding, option
    # values and operator inputs set to -1 are all still well-formed.)
    assert rejected >= 0.5 * total
    assert stats["truncate_tiny"]["accepted"] == 0
    assert stats["truncate"]["accepted"] == 0
    for kind in ("root_offset", "soffset", "vtable_header", "delete_meta"):
        assert stats[kind]["rejected"] >= 0.9 * sum(stats[kind].values()), kind
    assert stats["vtable_entry"]["rejected"] >= 0.5 * sum(stats["vtable_entry"].values())
    focused = [k for k in KINDS if k.endswith(("head", "meta"))]
    assert sum(sum(stats[k].values()) for k in focused) >= 1000
    assert sum(stats[k]["rejected"] for k in focused) >= 250


def test_exhaustive_small_model():
    """Every truncation length and every aligned word x 4 adversarial values of hello_world."""
    name = "tflm_hello_world_int8.tflite"
    data = (MODELS_DIR / name).read_bytes()
    size = len(data)
    outcomes = collections.Counter()
    for n in range(size):
        try:
            outcome, _, _ = _run_one(name, data[:n])
        except Exception as e:  # noqa: BLE001
            pytest.fail(f"reader bug on {name} truncated to {n} bytes: {type(e).__name__}: {e}")
        outcomes["truncate", outcome] += 1
    for pos in range(0, size - 3, 4):
        for value in (0, 0xFFFFFFFF, 0x7FFFFFFF, size):
            out = bytearray(data)
            struct.pack_into("<I", out, pos, value)
            try:
                outcome, _, _ = _run_one(name, bytes(out))
            except Exception as e:  # noqa: BLE001
                pytest.fail(
                    f"reader bug on {name} word {pos} = {value:#x}: {type(e).__name__}: {e}"
                )
            outcomes["word", outcome] += 1
    print(f"\nexhaustive {name}: {dict(outcomes)}")
    assert outcomes["truncate", "accepted"] == 0
    words = outcomes["word", "rejected"] + outcomes["word", "accepted"]
    assert outcomes["word", "rejected"] >= 0.3 * words
