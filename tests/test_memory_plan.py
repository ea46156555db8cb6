"""Arena planning: no two tensors alive at the same step share bytes, and the plan is close to
the lower bound on every shipped model."""

from pathlib import Path

import pytest

from autodeploy.codegen.pipeline import planned_tensors
from autodeploy.errors import TfliteFormatError
from autodeploy.memory.arena import align, lower_bound, plan_arena
from autodeploy.memory.lifetimes import Lifetime, execution_order, tensor_lifetimes
from autodeploy.tflite.model import Operator, Subgraph, Tensor
from autodeploy.tflite.reader import read_model

MODELS = sorted(Path(__file__).resolve().parent.parent.joinpath("models").glob("*.tflite"))


def assert_no_overlap(plan):
    for i, a in enumerate(plan.lifetimes):
        a_span = (plan.offsets[a.tensor], plan.offsets[a.tensor] + a.nbytes)
        assert a_span[0] % 16 == 0
        assert a_span[1] <= plan.size
        for b in plan.lifetimes[i + 1 :]:
            if not (a.overlaps(b) and a.nbytes and b.nbytes):
                continue
            b_span = (plan.offsets[b.tensor], plan.offsets[b.tensor] + b.nbytes)
            assert a_span[1] <= b_span[0] or b_span[1] <= a_span[0], (a, b)


def test_lower_bound_is_peak_of_live_bytes():
    lts = [Lifetime(0, 100, 0, 1), Lifetime(1, 50, 1, 2), Lifetime(2, 10, 2, 3)]
    # step 1: 112 + 64 live (aligned to 16)
    assert lower_bound(lts) == align(100) + align(50)


def test_disjoint_lifetimes_share_memory():
    lts = [Lifetime(0, 64, 0, 0), Lifetime(1, 64, 1, 1), Lifetime(2, 64, 2, 2)]
    plan = plan_arena(lts)
    assert plan.size == 64
    assert set(plan.offsets.values()) == {0}


def test_overlapping_lifetimes_never_overlap_in_memory():
    lts = [Lifetime(i, 16 * (1 + (i * 7) % 5), i % 4, i % 4 + 1 + i % 3) for i in range(40)]
    plan = plan_arena(lts)
    assert_no_overlap(plan)
    assert plan.size >= plan.lower_bound


def _tensor(i, n):
    return Tensor(index=i, name=f"t{i}", shape=(n,), dtype="INT8", buffer=0)


def test_cycle_is_a_clear_error():
    ops = [Operator(0, "ADD", (1,), (0,)), Operator(1, "ADD", (0,), (1,))]
    sub = Subgraph(0, "main", [_tensor(0, 4), _tensor(1, 4)], (), (), ops)
    with pytest.raises(TfliteFormatError, match="cycle"):
        execution_order(sub, "x.tflite")


def test_out_of_order_file_is_reordered():
    ops = [Operator(0, "RELU", (1,), (2,)), Operator(1, "RELU", (0,), (1,))]
    sub = Subgraph(0, "main", [_tensor(i, 4) for i in range(3)], (0,), (2,), ops)
    assert execution_order(sub) == [1, 0]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_shipped_model_plan_within_5_percent_of_bound(path):
    model = read_model(path)
    order = execution_order(model.main, str(path))
    plan = plan_arena(tensor_lifetimes(model.main, order, planned_tensors(model)))
    assert_no_overlap(plan)
    assert plan.lower_bound <= plan.size <= 1.05 * plan.lower_bound
    print(f"{path.stem}: plan {plan.size} bound {plan.lower_bound} ratio {plan.ratio:.3f}")
