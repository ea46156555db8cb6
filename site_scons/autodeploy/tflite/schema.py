"""TFLite schema tables used by reader.py: enum names and the layout of decoded option tables.

The enum tables are the value -> name lists of the TFLite flatbuffer schema (schema version 3, as
in the pinned `tflite` 2.18 package); tests/test_tflite_reader.py checks them against that package.
They are embedded here so that parsing a model does not import the package's ~190 modules.
"""

from __future__ import annotations


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# tflite.BuiltinOperator: value -> name (values are dense 0..208).
BUILTIN_OPERATORS: tuple[str, ...] = _names(
    """
    ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE
    EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D
    LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU
    RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH
    CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD
    UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN
    SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN
    EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM
    ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN
    TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE
    POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND
    LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD
    RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V
    UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG
    QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4
    NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL
    PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL
    COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL
    CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS
    RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE
    RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2
    UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT STABLEHLO_LOGISTIC
    STABLEHLO_ADD STABLEHLO_DIVIDE STABLEHLO_MULTIPLY STABLEHLO_MAXIMUM STABLEHLO_RESHAPE
    STABLEHLO_CLAMP STABLEHLO_CONCATENATE STABLEHLO_BROADCAST_IN_DIM STABLEHLO_CONVOLUTION
    STABLEHLO_SLICE STABLEHLO_CUSTOM_CALL STABLEHLO_REDUCE STABLEHLO_ABS STABLEHLO_AND
    STABLEHLO_COSINE STABLEHLO_EXPONENTIAL STABLEHLO_FLOOR STABLEHLO_LOG STABLEHLO_MINIMUM
    STABLEHLO_NEGATE STABLEHLO_OR STABLEHLO_POWER STABLEHLO_REMAINDER STABLEHLO_RSQRT
    STABLEHLO_SELECT STABLEHLO_SUBTRACT STABLEHLO_TANH STABLEHLO_SCATTER STABLEHLO_COMPARE
    STABLEHLO_CONVERT STABLEHLO_DYNAMIC_SLICE STABLEHLO_DYNAMIC_UPDATE_SLICE STABLEHLO_PAD
    STABLEHLO_IOTA STABLEHLO_DOT_GENERAL STABLEHLO_REDUCE_WINDOW STABLEHLO_SORT
    STABLEHLO_WHILE STABLEHLO_GATHER STABLEHLO_TRANSPOSE DILATE STABLEHLO_RNG_BIT_GENERATOR
    REDUCE_WINDOW STABLEHLO_COMPOSITE STABLEHLO_SHIFT_LEFT STABLEHLO_CBRT
"""
)

# tflite.BuiltinOptions: value -> name (values are dense 0..126).
BUILTIN_OPTIONS: tuple[str, ...] = _names(
    """
    NONE Conv2DOptions DepthwiseConv2DOptions ConcatEmbeddingsOptions LSHProjectionOptions
    Pool2DOptions SVDFOptions RNNOptions FullyConnectedOptions SoftmaxOptions
    ConcatenationOptions AddOptions L2NormOptions LocalResponseNormalizationOptions
    LSTMOptions ResizeBilinearOptions CallOptions ReshapeOptions SkipGramOptions
    SpaceToDepthOptions EmbeddingLookupSparseOptions MulOptions PadOptions GatherOptions
    BatchToSpaceNDOptions SpaceToBatchNDOptions TransposeOptions ReducerOptions SubOptions
    DivOptions SqueezeOptions SequenceRNNOptions StridedSliceOptions ExpOptions
    TopKV2Options SplitOptions LogSoftmaxOptions CastOptions DequantizeOptions
    MaximumMinimumOptions ArgMaxOptions LessOptions NegOptions PadV2Options GreaterOptions
    GreaterEqualOptions LessEqualOptions SelectOptions SliceOptions TransposeConvOptions
    SparseToDenseOptions TileOptions ExpandDimsOptions EqualOptions NotEqualOptions
    ShapeOptions PowOptions ArgMinOptions FakeQuantOptions PackOptions LogicalOrOptions
    OneHotOptions LogicalAndOptions LogicalNotOptions UnpackOptions FloorDivOptions
    SquareOptions ZerosLikeOptions FillOptions BidirectionalSequenceLSTMOptions
    BidirectionalSequenceRNNOptions UnidirectionalSequenceLSTMOptions FloorModOptions
    RangeOptions ResizeNearestNeighborOptions LeakyReluOptions SquaredDifferenceOptions
    MirrorPadOptions AbsOptions SplitVOptions UniqueOptions ReverseV2Options AddNOptions
    GatherNdOptions CosOptions WhereOptions RankOptions ReverseSequenceOptions
    MatrixDiagOptions QuantizeOptions MatrixSetDiagOptions HardSwishOptions IfOptions
    WhileOptions DepthToSpaceOptions NonMaxSuppressionV4Options NonMaxSuppressionV5Options
    ScatterNdOptions SelectV2Options DensifyOptions SegmentSumOptions BatchMatMulOptions
    CumsumOptions CallOnceOptions BroadcastToOptions Rfft2dOptions Conv3DOptions
    HashtableOptions HashtableFindOptions HashtableImportOptions HashtableSizeOptions
    VarHandleOptions ReadVariableOptions AssignVariableOptions RandomOptions
    BucketizeOptions GeluOptions DynamicUpdateSliceOptions UnsortedSegmentProdOptions
    UnsortedSegmentMaxOptions UnsortedSegmentMinOptions UnsortedSegmentSumOptions
    ATan2Options SignOptions BitcastOptions BitwiseXorOptions RightShiftOptions
"""
)

# tflite.TensorType: value -> name (values are dense 0..18).
TENSOR_TYPES: tuple[str, ...] = _names(
    """
    FLOAT32 FLOAT16 INT32 UINT8 INT64 STRING BOOL INT16 COMPLEX64 INT8 FLOAT64 COMPLEX128
    UINT64 RESOURCE VARIANT UINT32 UINT16 INT4 BFLOAT16
"""
)

# tflite.ActivationFunctionType: value -> name (values are dense 0..5).
ACTIVATION_FUNCTIONS: tuple[str, ...] = _names(
    """
    NONE RELU RELU_N1_TO_1 RELU6 TANH SIGN_BIT
"""
)

# tflite.Padding: value -> name (values are dense 0..1).
PADDINGS: tuple[str, ...] = _names(
    """
    SAME VALID
"""
)

# tflite.FullyConnectedOptionsWeightsFormat: value -> name (values are dense 0..1).
FC_WEIGHTS_FORMATS: tuple[str, ...] = _names(
    """
    DEFAULT SHUFFLED4x16INT8
"""
)

# Field kinds understood by reader.py when decoding an options table.
I8, I32, BOOL, F32, I32_VEC, STRING = "i8", "i32", "bool", "f32", "i32_vec", "string"
PADDING, ACTIVATION, FC_WEIGHTS, TENSOR_TYPE = "padding", "activation", "fc_weights", "tensor_type"

# Enum-valued kinds: field kind -> (enum name for messages, value -> name table).
ENUM_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    PADDING: ("Padding", PADDINGS),
    ACTIVATION: ("ActivationFunctionType", ACTIVATION_FUNCTIONS),
    FC_WEIGHTS: ("FullyConnectedOptionsWeightsFormat", FC_WEIGHTS_FORMATS),
    TENSOR_TYPE: ("TensorType", TENSOR_TYPES),
}

# Byte size of each scalar kind (enum kinds are stored as int8 in the schema).
SCALAR_SIZES = {
    I8: 1,
    I32: 4,
    BOOL: 1,
    F32: 4,
    PADDING: 1,
    ACTIVATION: 1,
    FC_WEIGHTS: 1,
    TENSOR_TYPE: 1,
}

# Decoded options tables: schema name -> ((snake_case key, field index, kind, schema default),
# ...). Field indices and defaults are those of the TFLite schema (see tflite/<Name>.py: field
# index = (vtable offset - 4) / 2). Tables listed with no fields have none in the schema.

OPTION_FIELDS: dict[str, tuple[tuple[str, int, str, object], ...]] = {
    "Conv2DOptions": (
        ("padding", 0, PADDING, "SAME"),
        ("stride_w", 1, I32, 0),
        ("stride_h", 2, I32, 0),
        ("fused_activation_function", 3, ACTIVATION, "NONE"),
        ("dilation_w_factor", 4, I32, 1),
        ("dilation_h_factor", 5, I32, 1),
        ("quantized_bias_type", 6, TENSOR_TYPE, "FLOAT32"),
    ),
    "DepthwiseConv2DOptions": (
        ("padding", 0, PADDING, "SAME"),
        ("stride_w", 1, I32, 0),
        ("stride_h", 2, I32, 0),
        ("depth_multiplier", 3, I32, 0),
        ("fused_activation_function", 4, ACTIVATION, "NONE"),
        ("dilation_w_factor", 5, I32, 1),
        ("dilation_h_factor", 6, I32, 1),
    ),
    "Pool2DOptions": (
        ("padding", 0, PADDING, "SAME"),
        ("stride_w", 1, I32, 0),
        ("stride_h", 2, I32, 0),
        ("filter_width", 3, I32, 0),
        ("filter_height", 4, I32, 0),
        ("fused_activation_function", 5, ACTIVATION, "NONE"),
    ),
    "FullyConnectedOptions": (
        ("fused_activation_function", 0, ACTIVATION, "NONE"),
        ("weights_format", 1, FC_WEIGHTS, "DEFAULT"),
        ("keep_num_dims", 2, BOOL, False),
        ("asymmetric_quantize_inputs", 3, BOOL, False),
        ("quantized_bias_type", 4, TENSOR_TYPE, "FLOAT32"),
    ),
    "AddOptions": (
        ("fused_activation_function", 0, ACTIVATION, "NONE"),
        ("pot_scale_int16", 1, BOOL, True),
    ),
    "SubOptions": (
        ("fused_activation_function", 0, ACTIVATION, "NONE"),
        ("pot_scale_int16", 1, BOOL, True),
    ),
    "MulOptions": (("fused_activation_function", 0, ACTIVATION, "NONE"),),
    "DivOptions": (("fused_activation_function", 0, ACTIVATION, "NONE"),),
    "ConcatenationOptions": (
        ("axis", 0, I32, 0),
        ("fused_activation_function", 1, ACTIVATION, "NONE"),
    ),
    "ReshapeOptions": (("new_shape", 0, I32_VEC, ()),),
    "SoftmaxOptions": (("beta", 0, F32, 0.0),),
    "StridedSliceOptions": (
        ("begin_mask", 0, I32, 0),
        ("end_mask", 1, I32, 0),
        ("ellipsis_mask", 2, I32, 0),
        ("new_axis_mask", 3, I32, 0),
        ("shrink_axis_mask", 4, I32, 0),
        ("offset", 5, BOOL, False),
    ),
    "PackOptions": (("values_count", 0, I32, 0), ("axis", 1, I32, 0)),
    "UnpackOptions": (("num", 0, I32, 0), ("axis", 1, I32, 0)),
    "LeakyReluOptions": (("alpha", 0, F32, 0.0),),
    "ReducerOptions": (("keep_dims", 0, BOOL, False),),
    "SqueezeOptions": (("squeeze_dims", 0, I32_VEC, ()),),
    # Fields 0 and 1 of ResizeBilinearOptions are the deprecated new_height / new_width.
    "ResizeBilinearOptions": (
        ("align_corners", 2, BOOL, False),
        ("half_pixel_centers", 3, BOOL, False),
    ),
    "ResizeNearestNeighborOptions": (
        ("align_corners", 0, BOOL, False),
        ("half_pixel_centers", 1, BOOL, False),
    ),
    "ShapeOptions": (("out_type", 0, TENSOR_TYPE, "FLOAT32"),),
    "SpaceToBatchNDOptions": (),
    "BatchToSpaceNDOptions": (),
    "TransposeOptions": (),
    "PadOptions": (),
    "ExpandDimsOptions": (),
    "GatherOptions": (("axis", 0, I32, 0), ("batch_dims", 1, I32, 0)),
    "SplitVOptions": (("num_splits", 0, I32, 0),),
    "DepthToSpaceOptions": (("block_size", 0, I32, 0),),
    "SpaceToDepthOptions": (("block_size", 0, I32, 0),),
    "ArgMaxOptions": (("output_type", 0, TENSOR_TYPE, "FLOAT32"),),
    "ArgMinOptions": (("output_type", 0, TENSOR_TYPE, "FLOAT32"),),
    "TransposeConvOptions": (
        ("padding", 0, PADDING, "SAME"),
        ("stride_w", 1, I32, 0),
        ("stride_h", 2, I32, 0),
        ("fused_activation_function", 3, ACTIVATION, "NONE"),
        ("quantized_bias_type", 4, TENSOR_TYPE, "FLOAT32"),
    ),
    "BatchMatMulOptions": (
        ("adj_x", 0, BOOL, False),
        ("adj_y", 1, BOOL, False),
        ("asymmetric_quantize_inputs", 2, BOOL, False),
    ),
    "SplitOptions": (("num_splits", 0, I32, 0),),
    "UnidirectionalSequenceLSTMOptions": (
        ("fused_activation_function", 0, ACTIVATION, "NONE"),
        ("cell_clip", 1, F32, 0.0),
        ("proj_clip", 2, F32, 0.0),
        ("time_major", 3, BOOL, False),
        ("asymmetric_quantize_inputs", 4, BOOL, False),
        ("diagonal_recurrent_tensors", 5, BOOL, False),
    ),
    "SVDFOptions": (
        ("rank", 0, I32, 0),
        ("fused_activation_function", 1, ACTIVATION, "NONE"),
        ("asymmetric_quantize_inputs", 2, BOOL, False),
    ),
    # Resource variables: a VAR_HANDLE names its variable by (container, shared_name); absent
    # strings decode to None, as the schema's accessors return.
    "VarHandleOptions": (("container", 0, STRING, None), ("shared_name", 1, STRING, None)),
    "ReadVariableOptions": (),
    "AssignVariableOptions": (),
    "CallOnceOptions": (("init_subgraph_index", 0, I32, 0),),
}
