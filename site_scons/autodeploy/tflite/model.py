"""Plain data describing a parsed .tflite model. Produced by reader.py, consumed everywhere else.

Names follow the TFLite schema, in snake_case. Tensor types and builtin operators are given by
their schema names ("INT8", "CONV_2D") so downstream code never deals with enum numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Bytes per element for each schema TensorType name (INT4 packs two per byte: handled by callers).
DTYPE_BYTES = {
    "FLOAT32": 4,
    "FLOAT16": 2,
    "BFLOAT16": 2,
    "FLOAT64": 8,
    "INT32": 4,
    "UINT32": 4,
    "INT64": 8,
    "UINT64": 8,
    "INT16": 2,
    "UINT16": 2,
    "INT8": 1,
    "UINT8": 1,
    "BOOL": 1,
    "INT4": 1,
    "COMPLEX64": 8,
    "COMPLEX128": 16,
    "STRING": 1,
    "RESOURCE": 0,
    "VARIANT": 0,
}


@dataclass(frozen=True)
class Quantization:
    """Affine quantization: real = scale * (q - zero_point), per tensor or per channel."""

    scale: tuple[float, ...]
    zero_point: tuple[int, ...]
    quantized_dimension: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    buffer: int
    quantization: Quantization | None = None
    is_variable: bool = False
    shape_signature: tuple[int, ...] | None = None
    # Constant data (bytes of the referenced buffer) or None for activations and empty buffers.
    data: bytes | None = None

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    @property
    def num_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        if self.dtype == "INT4":
            return (self.num_elements + 1) // 2
        return self.num_elements * DTYPE_BYTES.get(self.dtype, 0)


@dataclass
class Operator:
    index: int
    opcode: str  # builtin name such as "CONV_2D", or "CUSTOM"
    inputs: tuple[int, ...]  # tensor indices; -1 marks an omitted optional input
    outputs: tuple[int, ...]
    version: int = 1
    custom_code: str | None = None
    options_type: str | None = None  # schema name such as "Conv2DOptions", None if absent
    # Decoded builtin options with snake_case keys, e.g. {"padding": "SAME", "stride_w": 1,
    # "stride_h": 1, "fused_activation_function": "RELU6", ...}. Enum values are schema names.
    options: dict = field(default_factory=dict)
    intermediates: tuple[int, ...] = ()


@dataclass
class Subgraph:
    index: int
    name: str
    tensors: list[Tensor]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    operators: list[Operator]


@dataclass
class Model:
    path: str
    file_size: int
    version: int
    description: str
    subgraphs: list[Subgraph]
    # Opcode names in the model's operator_codes table (index order), for reporting.
    operator_codes: list[str] = field(default_factory=list)

    @property
    def main(self) -> Subgraph:
        return self.subgraphs[0]
