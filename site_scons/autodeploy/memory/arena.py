"""Static arena plan: an offset for every non-constant tensor, so that tensors alive at the same
step never overlap, with the plan's size reported next to the lower bound.

The lower bound is the largest sum of (aligned) bytes alive at any one step: no plan can be
smaller. Offsets come from greedy first-fit placement (lowest offset that clears every already
placed tensor whose lifetime overlaps). A few fixed placement orders are tried, then seeded
random perturbations of the size order until the plan meets the bound or the tries run out; the
smallest result is kept. The search is deterministic: the same model always gets the same plan.

Persistent tensors (state that must survive between invocations: variable tensors, resource
variables) take the start of the arena, back to back, and everything else is planned after them,
so no other tensor ever reuses their bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from autodeploy.memory.lifetimes import Lifetime

ALIGNMENT = 16  # bytes; every tensor starts on a 16-byte boundary (MVE/DMA friendly)


def align(n: int, alignment: int = ALIGNMENT) -> int:
    return (n + alignment - 1) // alignment * alignment


@dataclass
class ArenaPlan:
    offsets: dict[int, int]  # tensor index -> byte offset in the arena
    size: int
    lower_bound: int
    lifetimes: list[Lifetime]
    persistent_bytes: int = 0  # [0, persistent_bytes) holds the persistent tensors

    @property
    def ratio(self) -> float:
        return self.size / self.lower_bound if self.lower_bound else 1.0


def lower_bound(lifetimes: list[Lifetime]) -> int:
    if not lifetimes:
        return 0
    steps = max(lt.last for lt in lifetimes) + 1
    live = [0] * (steps + 1)
    for lt in lifetimes:  # difference array over steps
        live[lt.first] += align(lt.nbytes)
        live[lt.last + 1] -= align(lt.nbytes)
    best = running = 0
    for delta in live:
        running += delta
        best = max(best, running)
    return best


def _first_fit(ordered: list[Lifetime]) -> tuple[dict[int, int], int]:
    placed: list[tuple[Lifetime, int, int]] = []  # (lifetime, start, end)
    offsets: dict[int, int] = {}
    size = 0
    for lt in ordered:
        need = align(lt.nbytes)
        busy = sorted((s, e) for other, s, e in placed if other.overlaps(lt))
        offset = 0
        for start, end in busy:
            if offset + need <= start:
                break
            offset = max(offset, end)
        offsets[lt.tensor] = offset
        placed.append((lt, offset, offset + need))
        size = max(size, offset + need)
    return offsets, size


_ORDERINGS = (
    lambda lt: (-lt.nbytes, lt.first),
    lambda lt: (-(lt.last - lt.first), -lt.nbytes),
    lambda lt: (-lt.nbytes * (lt.last - lt.first + 1), lt.first),
    lambda lt: (lt.first, -lt.nbytes),
)


RANDOM_TRIES = 200


def _candidate_orders(lifetimes: list[Lifetime]):
    for key in _ORDERINGS:
        yield sorted(lifetimes, key=key)
    rng = random.Random(0)
    for _ in range(RANDOM_TRIES):
        yield sorted(lifetimes, key=lambda lt: -lt.nbytes * rng.uniform(0.5, 1.5))


def plan_arena(lifetimes: list[Lifetime], persistent: frozenset[int] = frozenset()) -> ArenaPlan:
    """Offsets for `lifetimes`; the tensors in `persistent` go first, in index order."""
    bound = lower_bound(lifetimes)
    base, fixed = 0, {}
    for lt in sorted((lt for lt in lifetimes if lt.tensor in persistent), key=lambda x: x.tensor):
        fixed[lt.tensor] = base
        base += align(lt.nbytes)
    rest = [lt for lt in lifetimes if lt.tensor not in persistent]
    offsets, size = {}, 0
    for i, order in enumerate(_candidate_orders(rest)):
        candidate_offsets, candidate_size = _first_fit(order)
        if i == 0 or candidate_size < size:
            offsets, size = candidate_offsets, candidate_size
        if base + size <= bound:
            break
    offsets = fixed | {t: base + offset for t, offset in offsets.items()}
    return ArenaPlan(offsets, base + size, bound, lifetimes, base)
