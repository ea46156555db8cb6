"""Vela for the Alif E7's Ethos-U55 (autodeploy.npu): which system config and memory mode a
placement gets, our .ini, real Vela compiles of KWS (figures, determinism, CPU fallbacks with
Vela's reasons, a fallback layer byte-exact through our kernels), failures named by layer, the
MLEK folder and the import of the kit's console log."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from autodeploy.config import load_config
from autodeploy.errors import TfliteFormatError
from autodeploy.npu import mlek, mlek_log, report, system, vela
from autodeploy.npu.estimate import estimate
from autodeploy.tflite.reader import parse_model
from tests.support.native_harness import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config(ROOT)
HP, HE = CONFIG.platforms["alif_e7_hp"], CONFIG.platforms["alif_e7_he"]
KWS = ROOT / "models" / "mlperf_tiny_kws_dscnn_int8.tflite"
INI = ROOT / "platforms" / "vela" / "alif_e7.ini"
DEFAULTS = {"accelerator": "auto", "memory_mode": "auto", "optimise": "Performance"}


def placed(model: str, arena: str, requested: str = "auto") -> dict:
    return {
        "requested": {"model_location": requested},
        "placement": {"model_location": model, "arena_location": arena},
    }


@pytest.mark.parametrize(
    ("where", "settings", "config", "mode", "weights"),
    [
        (placed("MRAM", "SRAM"), {}, "Alif_E7_HP_SRAM_MRAM", "Shared_Sram", "MRAM"),
        (placed("OSPI", "TCM"), {}, "Alif_E7_HP_TCM_OSPI", "Shared_Sram", "OSPI"),
        (placed("TCM", "TCM"), {}, "Alif_E7_HP_TCM_TCM", "Sram_Only", "TCM"),
        # weights in SRAM beside an arena in TCM: Vela describes both with the arena's RAM
        (placed("SRAM", "TCM"), {}, "Alif_E7_HP_TCM_TCM", "Sram_Only", "SRAM"),
        # Shared_Sram asked while auto placement chose a RAM: the board's flash (MRAM)
        (placed("TCM", "TCM"), {"memory_mode": "Shared_Sram"}, "Alif_E7_HP_TCM_MRAM",
         "Shared_Sram", "MRAM"),
        # Sram_Only asked while auto placement chose MRAM: the weights go to the arena's RAM
        (placed("MRAM", "SRAM"), {"memory_mode": "Sram_Only"}, "Alif_E7_HP_SRAM_SRAM",
         "Sram_Only", "SRAM"),
    ],
)  # fmt: skip
def test_the_placement_decides_system_config_and_memory_mode(
    where, settings, config, mode, weights
) -> None:
    setup = system.vela_setup(HP, where, {**DEFAULTS, **settings})
    assert (setup.system_config, setup.memory_mode, setup.weights_memory) == (config, mode, weights)
    assert setup.accelerator == "ethos-u55-256" and setup.npu_clock_hz == 400_000_000
    system.check_config_file(setup, INI)  # the shipped .ini has the section and the clock


def test_settings_that_contradict_the_placement_are_refused() -> None:
    with pytest.raises(system.VelaSetupError, match="Sram_Only keeps the weights in RAM, but"):
        system.vela_setup(
            HP, placed("MRAM", "SRAM", "MRAM"), {**DEFAULTS, "memory_mode": "Sram_Only"}
        )
    with pytest.raises(system.VelaSetupError, match="Shared_Sram reads the weights from flash"):
        system.vela_setup(
            HP, placed("TCM", "TCM", "TCM"), {**DEFAULTS, "memory_mode": "Shared_Sram"}
        )
    with pytest.raises(system.VelaSetupError, match="has no NPU"):
        system.vela_setup(CONFIG.platforms["apollo510_evb"], placed("MRAM", "SRAM"), DEFAULTS)


def test_the_ini_describes_every_placement_of_both_cores_and_cites_its_values() -> None:
    parser = configparser.ConfigParser()
    parser.read(INI)
    for platform, clock in ((HP, 400e6), (HE, 160e6)):
        for arena in system.RAM_MEMORIES:
            for weights in (*system.FLASH_MEMORIES, arena):
                section = "System_Config." + platform.npu.system_config.format(
                    arena=arena, weights=weights
                )
                assert float(parser[section]["core_clock"]) == clock
    # every value line has a comment above it saying where it comes from
    lines = INI.read_text().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\w+_(clock_scale|burst_length|read_latency)=", line):
            above = lines[i - 1] if lines[i - 1].startswith(";") else lines[i - 2]
            assert above.startswith(";") and re.search(r"\[[A-E]\]", above), line


def test_a_clock_that_disagrees_with_the_platform_is_an_error(tmp_path) -> None:
    setup = system.vela_setup(HP, placed("MRAM", "SRAM"), DEFAULTS)
    bad = tmp_path / "bad.ini"
    bad.write_text(INI.read_text().replace("core_clock=400e6", "core_clock=500e6"))
    with pytest.raises(system.VelaSetupError, match="core_clock=500e6 but the platform's"):
        system.check_config_file(setup, bad)


def compile_kws(tmp_path, name, accelerator="auto", ignore=()) -> tuple[Path, dict]:
    """KWS compiled for the HP core (weights in MRAM, arena in SRAM): Vela's model and
    vela.json's content."""
    settings = {**DEFAULTS, "accelerator": accelerator, "vela_ignore_ops": ignore}
    setup = system.vela_setup(HP, placed("MRAM", "SRAM"), settings)
    result = estimate(KWS, "kws", setup, INI, tmp_path / name, name, HP)
    return tmp_path / name / vela.output_names(name)[0], result


def test_kws_on_both_u55_sizes(tmp_path) -> None:
    out256, r256 = compile_kws(tmp_path, "u256")
    _, r128 = compile_kws(tmp_path, "u128", accelerator="ethos-u55-128")
    for r in (r256, r128):
        assert r["label"] == "Vela estimate"
        assert r["macs"] > 2_600_000 and r["operators"]["cpu"] == 0 and not r["cpu_layers"]
        assert r["fits"]["arena"]["fits"] and r["fits"]["weights"]["fits"]
        assert r["inference_ms"] == pytest.approx(r["total_cycles"] / 400e6 * 1000, rel=1e-3)
    assert r128["npu_cycles"] > r256["npu_cycles"]  # half the MACs per cycle
    # Vela's "Total SRAM used" is the scratch tensor of the compiled model
    model = parse_model(out256.read_bytes())
    npu = [op for op in model.main.operators if op.custom_code == "ethos-u"]
    assert len(npu) == 1 and len(model.main.operators) == 1
    scratch = model.main.tensors[npu[0].inputs[2]]
    assert scratch.nbytes == r256["sram_bytes"]
    # byte-deterministic
    again, _ = compile_kws(tmp_path, "again")
    assert again.read_bytes() == out256.read_bytes()
    text = report.render_markdown("kws", "v", r256)
    assert "(Vela estimate)" in text and "None: the whole graph runs on the NPU." in text


def test_a_cpu_fallback_is_listed_and_runs_byte_exact_through_our_kernels(tmp_path) -> None:
    out, result = compile_kws(tmp_path, "cpu", ignore=("SOFTMAX",))
    assert result["operators"]["cpu"] == 1
    [layer] = result["cpu_layers"]
    assert layer["op"] == "SOFTMAX" and "ignore" in layer["reason"]
    assert layer["our_kernel"] == "adrt_softmax_s8"
    assert "| SOFTMAX |" in report.render_markdown("kws", "v", result)
    # The fallback layer, with the Vela model's own tensors and options, through our kernels
    # (portable C on the host) against LiteRT's reference kernels.
    graph = parse_model(out.read_bytes()).main
    op = graph.operators[layer["index"]]
    src, dst = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    b = ModelBuilder()
    quant = lambda t: {"scale": t.quantization.scale, "zero_point": t.quantization.zero_point}  # noqa: E731
    i = b.tensor(src.shape, "INT8", **quant(src))
    o = b.tensor(dst.shape, "INT8", **quant(dst))
    b.op("SOFTMAX", [i], [o], "SoftmaxOptions", {"beta": op.options["beta"]})
    assert_bit_exact(b.build([i], [o]), n_inputs=20, seed=3, boards=("host",))


def test_vela_failures_name_the_layer_and_bad_files_never_reach_vela(tmp_path) -> None:
    model = parse_model(KWS.read_bytes(), "kws")
    log = "Error: Unsupported tensor 'Identity' in graph\nTraceback: ..."
    message = vela.failure_message(log, 1, model, "models/kws.tflite")
    assert message.startswith("models/kws.tflite: Vela failed (exit status 1): Error:")
    assert "layer 12 (SOFTMAX, output 'Identity')" in message
    assert "killed by signal 11" in vela.failure_message("", -11, model, "m")
    truncated = tmp_path / "cut.tflite"
    truncated.write_bytes(KWS.read_bytes()[:3000])
    setup = system.vela_setup(HP, placed("MRAM", "SRAM"), DEFAULTS)
    with pytest.raises(TfliteFormatError):  # Vela itself would crash (SIGSEGV) on this file
        vela.compile_model(truncated, "cut.tflite", setup, INI, tmp_path / "o", "cut")


def test_cpu_reasons_are_read_from_velas_log() -> None:
    log = (
        "Warning (supported operators) operator: SHAPE, ofm: 'flatten/Shape'\n"
        "Reason: Unsupported opType\n\n"
        "Warning (supported operators) operator: PACK, ofm: 'flatten/shape'\n"
        "Reason: Operation has shapeless tensor\nTensors must have constant shape.\n"
        "CPU operators = 2 (1.5%)\nNPU operators = 127 (98.5%)\n"
    )
    assert vela.cpu_reasons(log) == {
        "flatten/Shape": "Unsupported opType",
        "flatten/shape": "Operation has shapeless tensor Tensors must have constant shape.",
    }
    assert vela.operator_counts(log) == {"cpu": 2, "npu": 127}


# --- MLEK ---------------------------------------------------------------------------------------


def test_mlek_sources_and_cmake_command() -> None:
    data = bytes(range(40))
    source = mlek.model_source("m", data)
    assert "namespace arm {\nnamespace app {\nnamespace inference_runner {" in source
    assert '__attribute__((section("nn_model"), aligned(16)))' in source
    assert "const uint8_t* GetModelPointer()" in source and "size_t GetModelLen()" in source
    array = source.split("= {")[1].split("};")[0]
    assert bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", array)) == data
    ops = mlek.resolver_source("kws_e7", {"SOFTMAX", "RESHAPE"}, "m")
    assert re.findall(r"resolver\.(\w+)\(\);", ops) == ["AddEthosU", "AddReshape", "AddSoftmax"]
    assert "MicroMutableOpResolver<kKwsE7OpCount>" in ops and "kKwsE7OpCount = 3" in ops
    assert [mlek.npu_config_id(a) for a in ("ethos-u55-128", "ethos-u55-256", "ethos-u65-512")] == [
        "H128", "H256", "Y512",
    ]  # fmt: skip
    setup = {"accelerator": "ethos-u55-128", "memory_mode": "Shared_Sram"}
    command = mlek.cmake_command(HE.npu.mlek.__dict__, setup, "/x/m_vela.tflite", 0x5FE0)
    for option in (
        "-DTARGET_PLATFORM=alif", "-DTARGET_SUBSYSTEM=RTSS-HE", "-DETHOS_U_NPU_CONFIG_ID=H128",
        "-DETHOS_U_NPU_MEMORY_MODE=Shared_Sram", "-DUSE_CASE_BUILD=inference_runner",
        "-Dinference_runner_MODEL_TFLITE_PATH=/x/m_vela.tflite",
        "-Dinference_runner_ACTIVATION_BUF_SZ=0x5fe0", "-DLINKER_SCRIPT_NAME=RTSS-HE-infrun",
    ):  # fmt: skip
        assert option in command


def test_activation_buffer_is_velas_sram_plus_the_measured_tflm_tail() -> None:
    tail = mlek.tflm_tail_bytes(KWS.read_bytes(), "kws")
    # the tail holds at least kws's 13 NodeAndRegistration structs and 35 eval tensors
    assert 13 * 48 + 35 * 16 < tail < 64 * 1024
    buffer = mlek.activation_buffer(21_671, tail)
    assert buffer["activation_buf_sz"] % 16 == 0
    assert buffer["activation_buf_sz"] == 21_680 + mlek.align(tail + tail // 32)


LOG = """\
INFO - Running inference on model
INFO - Final results:
INFO - Total number of inferences: 1
INFO - Profile for Inference:
INFO - NPU AXI0_RD_DATA_BEAT_RECEIVED beats: {rd}
INFO - NPU AXI0_WR_DATA_BEAT_WRITTEN beats: 1180
INFO - NPU AXI1_RD_DATA_BEAT_RECEIVED beats: 3797
INFO - NPU ACTIVE cycles: {active}
INFO - NPU IDLE cycles: 412
INFO - NPU TOTAL cycles: {total}
"""


def test_the_console_log_of_the_use_case_is_imported_last_block_first() -> None:
    text = (
        "boot\n"
        + LOG.format(rd=1, active=2, total=3)
        + LOG.format(rd=4523, active=61_002, total=61_414)
    )
    measured = mlek_log.parse_profile(text, "board.log")
    assert measured == {
        "active_cycles": 61_002,
        "idle_cycles": 412,
        "total_cycles": 61_414,
        "axi_beats": {
            "AXI0_RD_DATA_BEAT_RECEIVED": 4523,
            "AXI0_WR_DATA_BEAT_WRITTEN": 1180,
            "AXI1_RD_DATA_BEAT_RECEIVED": 3797,
        },
    }
    vela_json = {"total_cycles": 53_476, "npu_clock_hz": 400e6, "inference_ms": 0.13369}
    result = mlek_log.compare(measured, vela_json)
    assert result["measured_ms"] == pytest.approx(61_002 / 400e3)
    assert result["measured_over_estimate"] == pytest.approx(61_002 / 53_476)
    text = mlek_log.render_markdown("kws_e7", "board.log", result)
    assert "measured on board" in text and "Vela estimate" in text and "61,002" in text


def test_a_log_without_a_profile_is_refused_with_what_to_check() -> None:
    with pytest.raises(mlek_log.MlekLogError, match="board.log: no 'Profile for Inference'"):
        mlek_log.parse_profile("INFO - Final results:\n", "board.log")
    cut = LOG.format(rd=1, active=2, total=3).split("INFO - NPU ACTIVE")[0]
    with pytest.raises(mlek_log.MlekLogError, match="no 'NPU ACTIVE cycles'"):
        mlek_log.parse_profile(cut, "board.log")


def test_cpu_opcodes_refuse_other_custom_ops() -> None:
    model = parse_model(KWS.read_bytes(), "kws")
    assert mlek.cpu_opcodes(model) == {
        "CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX",
    }  # fmt: skip
    model.main.operators[0].opcode, model.main.operators[0].custom_code = "CUSTOM", "foo"
    with pytest.raises(mlek.MlekError, match="custom op 'foo' \\(layer 0\\)"):
        mlek.cpu_opcodes(model)
