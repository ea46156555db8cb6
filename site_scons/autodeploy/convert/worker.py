"""Float model -> int8 .tflite with TensorFlow's post-training full-integer quantization.

Runs inside the conversion tool environment (.tools/convert: TensorFlow, onnx2tf), never in the
build's own Python: it imports nothing from autodeploy. Usage:

    python worker.py REQUEST.json

REQUEST: {"source", "kind": keras|saved_model|onnx, "calibration", "quantize": int8|16x8,
"output", "report", "work_dir"}. Writes the .tflite and a JSON report comparing the float model
with the quantized one on the calibration data. A problem the user can fix exits with status 2
and one line on stderr starting with "error: ".
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: The file onnx2tf looks for in the working directory before downloading sample images.
ONNX2TF_SAMPLE_FILE = "calibration_image_sample_data_20x128x128x3_float32.npy"
#: Calibration samples also used for the float/int8 comparison (all of them, up to this many).
COMPARE_SAMPLES = 200


class UserError(Exception):
    pass


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    try:
        convert(request)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def convert(request: dict) -> None:
    import numpy as np
    import tensorflow as tf

    kind = request["kind"]
    source = request["source"]
    layouts = None  # per input: the permutation from the ONNX layout to TF's, when they differ
    if kind == "onnx":
        source, layouts = onnx_to_saved_model(
            source, Path(request["work_dir"]), request["calibration"]
        )
        kind = "saved_model"
    if kind == "keras":
        model = tf.keras.models.load_model(source, compile=False)
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        names = [t.name.split(":")[0] for t in model.inputs]
        shapes = [tuple(t.shape) for t in model.inputs]

        def run_float(arrays):
            outputs = model(arrays if len(arrays) > 1 else arrays[0], training=False)
            outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
            return [np.asarray(o) for o in outputs]
    else:
        loaded = tf.saved_model.load(source)
        signature = loaded.signatures["serving_default"]
        specs = signature.structured_input_signature[1]
        names = sorted(specs)
        shapes = [tuple(specs[n].shape) for n in names]
        converter = tf.lite.TFLiteConverter.from_saved_model(source)

        def run_float(arrays):
            result = signature(**{n: tf.constant(a) for n, a in zip(names, arrays, strict=True)})
            return [np.asarray(result[k]) for k in sorted(result)]

    samples = load_calibration(request["calibration"], names, shapes, layouts)
    count = len(samples[0])

    def representative():
        for i in range(count):
            yield [s[i : i + 1].astype(np.float32) for s in samples]

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    if request["quantize"] == "16x8":
        ops = tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
        converter.target_spec.supported_ops = [ops]
        converter.inference_input_type = converter.inference_output_type = tf.int16
    else:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    try:
        flatbuffer = converter.convert()
    except Exception as err:  # the converter's own message names the op it cannot quantize
        raise UserError(f"TensorFlow could not quantize the model: {first_line(err)}") from None
    Path(request["output"]).write_bytes(flatbuffer)
    report = compare(flatbuffer, run_float, samples[:COMPARE_SAMPLES], names)
    report.update(
        {
            "tensorflow": tf.__version__,
            "quantize": request["quantize"],
            "calibration_samples": count,
            "inputs": [{"name": n, "shape": list(s)} for n, s in zip(names, shapes, strict=True)],
        }
    )
    Path(request["report"]).write_text(json.dumps(report, indent=2, sort_keys=True))


def first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def onnx_to_saved_model(source: str, work_dir: Path, calibration: str):
    """onnx2tf's float SavedModel of `source`, and per input the permutation that turns the ONNX
    layout into the converted model's (onnx2tf turns NCHW into NHWC), or None where it is kept."""
    import numpy as np
    import onnx
    import onnx2tf

    graph = onnx.load(source).graph
    initializers = {i.name for i in graph.initializer}
    onnx_inputs = [i for i in graph.input if i.name not in initializers]
    onnx_shapes = [
        tuple(d.dim_value or None for d in i.type.tensor_type.shape.dim) for i in onnx_inputs
    ]
    # onnx2tf checks its conversion of image-like (4-D) inputs on sample images, which it would
    # download unless a file of that name is in the working directory: give it the user's own
    # calibration data (NHWC), so that nothing is fetched from the network.
    if onnx_shapes and len(onnx_shapes[0]) == 4:
        data = np.load(calibration, allow_pickle=False)
        first = data if isinstance(data, np.ndarray) else data[data.files[0]]
        if first.ndim == 4 and tuple(first.shape[1:]) == tuple(onnx_shapes[0][1:]):
            sample = np.transpose(first.astype(np.float32), (0, 2, 3, 1))
            np.save(work_dir / ONNX2TF_SAMPLE_FILE, sample)
    os.chdir(work_dir)
    out = work_dir / "saved_model"
    copy = work_dir / Path(source).name  # onnx2tf rewrites its input file with the simplified model
    shutil.copyfile(source, copy)
    try:
        onnx2tf.convert(
            input_onnx_file_path=str(copy),
            output_folder_path=str(out),
            non_verbose=True,
            output_signaturedefs=True,
        )
    except SystemExit as err:  # onnx2tf exits on models it cannot convert
        raise UserError(f"onnx2tf could not convert {source} (exit {err.code})") from None
    except Exception as err:
        raise UserError(f"onnx2tf could not convert {source}: {first_line(err)}") from None
    layouts = []
    for shape in onnx_shapes:
        rank = len(shape)
        # onnx2tf moves the channel axis last for rank-3 and rank-4 inputs
        layouts.append((0, *range(2, rank), 1) if rank in (3, 4) else None)
    return str(out), layouts


def load_calibration(path: str, names: list, shapes: list, layouts) -> list:
    """One float array per model input, first axis = samples, checked against the input shape.
    `layouts`: ONNX only, per input the permutation from the file's (ONNX) layout."""
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
    except Exception as err:
        raise UserError(f"calibration file {path}: cannot read it: {first_line(err)}") from None
    if isinstance(data, np.ndarray):
        if len(names) != 1:
            raise UserError(
                f"calibration file {path}: the model has {len(names)} inputs "
                f"({', '.join(names)}); give a .npz with one array per input name"
            )
        arrays = [data]
    else:
        missing = [n for n in names if n not in data.files]
        if missing and len(data.files) == len(names) == 1:
            arrays = [data[data.files[0]]]
        elif missing:
            raise UserError(
                f"calibration file {path}: no array for input '{missing[0]}' (it has: "
                f"{', '.join(data.files) or 'nothing'}; expected: {', '.join(names)})"
            )
        else:
            arrays = [data[n] for n in names]
    out = []
    for k, (name, shape, array) in enumerate(zip(names, shapes, arrays, strict=True)):
        want = tuple(shape[1:])
        given = tuple(array.shape)
        layout = layouts[k] if layouts else None
        if layout is not None and array.ndim == len(layout):
            array = np.transpose(array, layout)  # the file is in the ONNX model's layout
        got = tuple(array.shape[1:])
        fits = len(got) == len(want) and all(
            w is None or w == g for w, g in zip(want, got, strict=True)
        )
        if not fits or array.shape[0] < 1:
            expected = ("N", *("?" if d is None else d for d in want))
            if layout is not None:
                expected = tuple(expected[i] for i in _inverse(layout))
            raise UserError(
                f"calibration file {path}: input '{name}' expects an array of shape "
                f"({', '.join(map(str, expected))}) (N samples first"
                f"{', in the ONNX model layout' if layout is not None else ''}), got {given}"
            )
        if not np.issubdtype(array.dtype, np.number):
            raise UserError(f"calibration file {path}: input '{name}' is not numeric")
        out.append(array.astype(np.float32))
    if len({len(a) for a in out}) > 1:
        raise UserError(f"calibration file {path}: the inputs have different sample counts")
    return out


def _inverse(permutation) -> list:
    inverse = [0] * len(permutation)
    for i, p in enumerate(permutation):
        inverse[p] = i
    return inverse


def compare(flatbuffer: bytes, run_float, samples: list, names: list) -> dict:
    """Float model vs the quantized one (TFLite reference kernels) on the calibration data:
    per output max abs error, cosine similarity and top-1 agreement (for a last axis > 1)."""
    import numpy as np
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(
        model_content=flatbuffer,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
    )
    interpreter.allocate_tensors()
    inputs = interpreter.get_input_details()
    by_name = {d["name"]: d for d in inputs}
    ordered = (
        [by_name.get(n, inputs[k]) for k, n in enumerate(names)] if len(inputs) > 1 else inputs
    )
    outputs = interpreter.get_output_details()
    floats, quants = [], []
    for i in range(len(samples[0])):
        batch = [s[i : i + 1] for s in samples]
        floats.append(run_float(batch))
        for detail, array in zip(ordered, batch, strict=True):
            scale, zero = detail["quantization"]
            info = np.iinfo(detail["dtype"])
            q = np.clip(np.round(array / scale) + zero, info.min, info.max).astype(detail["dtype"])
            interpreter.set_tensor(detail["index"], q)
        interpreter.invoke()
        row = []
        for detail in outputs:
            scale, zero = detail["quantization"]
            raw = interpreter.get_tensor(detail["index"]).astype(np.float64)
            row.append((raw - zero) * scale)
        quants.append(row)
    results = []
    for k, detail in enumerate(outputs):
        f = np.concatenate([np.asarray(r[k], np.float64).reshape(1, -1) for r in floats])
        q = np.concatenate([r[k].reshape(1, -1) for r in quants])
        if f.shape != q.shape:
            raise UserError(
                f"output {k}: the float model gives {f.shape[1]} values per sample, the "
                f"quantized one {q.shape[1]}; cannot compare"
            )
        cosine = float(np.dot(f.ravel(), q.ravel()) / (np.linalg.norm(f) * np.linalg.norm(q) or 1))
        entry = {
            "output": detail["name"],
            "max_abs_error": float(np.max(np.abs(f - q))),
            "cosine": cosine,
            "top1_agreement": float(np.mean(np.argmax(f, 1) == np.argmax(q, 1)))
            if f.shape[1] > 1
            else None,
        }
        results.append(entry)
    return {"compared_samples": len(samples[0]), "outputs": results}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
