"""READ_VARIABLE and ASSIGN_VARIABLE -> byte copies from and into a variable's persistent tensor.

codegen/variables.py has already resolved every VAR_HANDLE to one tensor per variable and
evaluated the CALL_ONCE initialization subgraphs; the operators that reach lowering here are the
ones it could not resolve, and they say why.
"""

from __future__ import annotations

from autodeploy.codegen.kernel_call import KernelCall
from autodeploy.codegen.lower.registry import Unsupported, register
from autodeploy.tflite.model import Operator, Subgraph, Tensor


def _copy(op: Operator, source: Tensor, target: Tensor) -> KernelCall:
    for t in (source, target):
        if t.dtype == "RESOURCE":
            raise Unsupported(f"{op.opcode} of a resource '{t.name}' no VAR_HANDLE names")
    if source.nbytes != target.nbytes:
        raise Unsupported(
            f"{op.opcode} between {source.dtype} {list(source.shape)} and {target.dtype} "
            f"{list(target.shape)}"
        )
    # the byte copy of RESHAPE
    return KernelCall(
        "adrt_reshape",
        "adrt_reshape_params_t",
        [("bytes", target.nbytes)],
        (source.index,),
        (target.index,),
    )


@register("READ_VARIABLE")
def lower_read_variable(op: Operator, sg: Subgraph) -> KernelCall:
    return _copy(op, sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]])


@register("ASSIGN_VARIABLE")
def lower_assign_variable(op: Operator, sg: Subgraph) -> KernelCall:
    return _copy(op, sg.tensors[op.inputs[1]], sg.tensors[op.inputs[0]])


@register("CALL_ONCE")
def lower_call_once(op: Operator, sg: Subgraph) -> KernelCall:
    raise Unsupported(
        f"its init subgraph {op.options.get('init_subgraph_index')} computes more than "
        "assignments of constants to variables, which is all the runtime evaluates at build time"
    )


@register("VAR_HANDLE")
def lower_var_handle(op: Operator, sg: Subgraph) -> KernelCall:
    raise Unsupported("handles are resolved when the model is compiled (codegen/variables.py)")
