"""The `autodeploy` command without a build: every reference option's mapping onto models.yaml,
the platform file and the SCons targets; the options that are not needed; --configfile; usage
and input errors (exit 2); the project folder and `autodeploy init`; exit codes from the
build's failure records."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
import yaml

from autodeploy import failures
from autodeploy.cli.build import Bars, BuildResult
from autodeploy.cli.main import exit_code, main
from autodeploy.cli.options import NOT_NEEDED, one_shot_parser, parse_options
from autodeploy.cli.project import with_transport
from autodeploy.cli.request import build_request
from autodeploy.config import load_config
from autodeploy.errors import DatasetError, InputError, ValidationError
from autodeploy.progress import parse_progress, progress_line

ROOT = Path(__file__).resolve().parent.parent
KWS = ROOT / "models/mlperf_tiny_kws_dscnn_int8.tflite"
KWS_DATA = ROOT / "models/datasets/kws_espeak.npz"
PLATFORM = ROOT / "platforms/apollo510_evb.yaml"


def request(*args: str):
    return build_request(*parse_options(one_shot_parser(), ["--tflite-filename", str(KWS), *args]))


def test_reference_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = request()
    assert r.model.name == "mlperf_tiny_kws_dscnn_int8"
    assert r.model.settings == {
        "tflite": str(KWS), "platform": "apollo510_evb", "toolchain": "gcc",
        "model_location": "auto", "arena_location": "auto", "max_arena_size": None,
        "runs": 10, "runs_power": 200, "seed": 42,
    }  # fmt: skip
    assert r.steps == ("analyze", "firmware", "profile")
    assert r.project == tmp_path / "projects/autodeploy/mlperf_tiny_kws_dscnn_int8"
    assert (r.resultlog, r.profile_results, r.verbosity, r.model.transport) == (None, None, 1, {})
    assert r.notes == ("note: model name set to mlperf_tiny_kws_dscnn_int8 (from "
                       "mlperf_tiny_kws_dscnn_int8.tflite)",)  # fmt: skip


# option -> (models.yaml settings it sets, or the request field it sets)
SETTINGS = [
    (["--model-name", "kws"], "name", "kws"),
    (["--platform", "apollo4p_evb"], "platform", "apollo4p_evb"),
    (["--platform", str(ROOT / "platforms/apollo4p_evb.yaml")], "platform", "apollo4p_evb"),
    (["--toolchain", "arm"], "toolchain", "armclang"),
    (["--toolchain", "clang"], "toolchain", "clang"),
    (["--model-location", "MRAM"], "model_location", "MRAM"),
    (["--model-location", "Auto"], "model_location", "auto"),
    (["--arena-location", "sram"], "arena_location", "SRAM"),
    (["--max-arena-size", "400"], "max_arena_size", "400KB"),
    (["--max-arena-size", "0"], "max_arena_size", None),
    (["--runs", "3"], "runs", 3),
    (["--runs-power", "20"], "runs_power", 20),
    (["--seed", "7"], "seed", 7),
    (["--cpu-mode", "LP"], "cpu_mode", "LP"),
    (["--cpu-mode", "auto"], "cpu_mode", None),
    (["--dataset", str(KWS_DATA)], "dataset", {"path": str(KWS_DATA), "labels": None,
                                               "samples": None}),
    (["--dataset", str(KWS_DATA), "--runs", "5"], "dataset", {"path": str(KWS_DATA),
                                                              "labels": None, "samples": 5}),
]  # fmt: skip


@pytest.mark.parametrize(("args", "key", "value"), SETTINGS, ids=lambda x: str(x)[:30])
def test_model_options_set_models_yaml(args, key, value) -> None:
    model = request(*args).model
    assert (model.name if key == "name" else model.settings.get(key)) == value


STEPS = [
    ([], ("analyze", "firmware", "profile")),
    (["--joulescope"], ("analyze", "firmware", "profile", "power", "report")),
    (["--no-create-profile"], ("analyze", "firmware")),
    (["--no-create-binary", "--no-create-profile"], ("analyze",)),
    (["--no-create-binary"], ("analyze", "profile")),
    (["--no-create-profile", "--joulescope"], ("analyze", "firmware", "power")),
    (["--create-library"], ("analyze", "firmware", "profile", "lib")),
    (["--create-ambiqsuite-example"], ("analyze", "firmware", "profile", "lib")),
]


@pytest.mark.parametrize(("args", "steps"), STEPS, ids=lambda x: str(x))
def test_action_options_choose_the_targets(args, steps) -> None:
    assert request(*args).steps == steps


def test_output_options(tmp_path) -> None:
    r = request(
        "--model-name", "kws", "--destination-rootdir", str(tmp_path / "dest"),
        "--resultlog-file", str(tmp_path / "log.csv"), "--profile-results-path",
        str(tmp_path / "prof"), "--verbosity", "2",
    )  # fmt: skip
    assert r.project == tmp_path / "dest/kws"
    assert (r.resultlog, r.profile_results) == (tmp_path / "log.csv", tmp_path / "prof")
    assert r.verbosity == 2


def test_board_link_options_go_into_the_projects_platform_file(tmp_path) -> None:
    r = request("--tty", "/dev/ttyACM0", "--baud", "921600", "--transport", "UART")
    assert r.model.transport == {"device": "/dev/ttyACM0", "baud": 921600, "kind": "uart"}
    text = with_transport(PLATFORM.read_text(), r.model.transport, PLATFORM)
    assert '  device: "/dev/ttyACM0"             # e.g. /dev/ttyACM0' in text
    assert "  baud: 921600             # 8N1 on UART" in text and '  kind: "uart"' in text
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms/apollo510_evb.yaml").write_text(text)
    (tmp_path / "models.yaml").write_text(
        f"models:\n  kws: {{tflite: {KWS}, platform: apollo510_evb}}\n"
    )
    transport = load_config(tmp_path).platforms["apollo510_evb"].transport
    assert (transport.device, transport.baud, transport.kind) == ("/dev/ttyACM0", 921600, "uart")
    assert with_transport(PLATFORM.read_text(), {}, PLATFORM) == PLATFORM.read_text()


@pytest.mark.parametrize("name", sorted(NOT_NEEDED))
def test_options_not_needed_are_accepted_with_a_note(name) -> None:
    flag = "--" + name.replace("_", "-")
    flag_only = one_shot_parser().parse_args([flag] if name in (
        "no_random_data", "nocompile_mode", "create_aot_profile", "onboard_perf",
        "full_pmu_capture") else [flag, "x"])  # fmt: skip
    args = [flag] if getattr(flag_only, name) is True else [flag, "x"]
    r = request(*args)
    assert f"note: {flag} is not needed: {NOT_NEEDED[name]}" in r.notes
    assert r.model.settings == request().model.settings and r.steps == request().steps


def test_notes_for_options_that_change_less_than_a_reference_user_expects() -> None:
    notes = "\n".join(request("--joulescope", "--no-create-binary", "--baud", "9600").notes)
    assert "--joulescope without a board (--tty)" in notes
    assert "--no-create-binary: the profile runs the validator firmware" in notes
    assert "--transport and --baud set the board's port" in notes
    assert "every sample runs once" in "\n".join(request("--dataset", str(KWS_DATA)).notes)


def test_configfile_keys_paths_and_precedence(tmp_path) -> None:
    (tmp_path / "m.tflite").write_bytes(KWS.read_bytes())
    config = tmp_path / "ad.yaml"
    config.write_text("tflite_filename: m.tflite\nmodel-name: kws\nruns: 4\njoulescope: true\n")
    options, explicit = parse_options(
        one_shot_parser(), ["--configfile", str(config), "--runs", "6"]
    )
    r = build_request(options, explicit)
    assert r.model.settings["tflite"] == str(tmp_path / "m.tflite")  # relative to the file
    assert (r.model.name, r.model.settings["runs"], "power" in r.steps) == ("kws", 6, True)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("runz: 3\n", "unknown option 'runz'; did you mean 'runs'"),
        ("runs: ten\n", "runs: expected an integer, got 'ten'"),
        ("joulescope: 1\n", "joulescope: expected true or false"),
        ("- a\n", "expected option: value lines"),
    ],
)
def test_configfile_errors(tmp_path, text, match) -> None:
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(InputError, match=match):
        parse_options(one_shot_parser(), ["--configfile", str(tmp_path / "c.yaml")])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--tflite-filename is required"),
        (["--tflite-filename", "nope.tflite"], "--tflite-filename nope.tflite: no such file"),
        (["--platform", "apollo510_evbb"], "unknown board; did you mean 'apollo510_evb'"),
        (["--model-location", "DRAM"], "--model-location DRAM: not one of auto, TCM, SRAM"),
        (["--arena-location", "MRAM"], "--arena-location MRAM: not one of auto, TCM, SRAM, PSRAM"),
        (["--toolchain", "iar"], "--toolchain iar: not one of gcc, arm, armclang, clang"),
        (["--cpu-mode", "turbo"], "--cpu-mode turbo: not one of auto, LP, HP"),
        (["--runs", "0"], "--runs 0: must be 1 or more"),
        (["--max-arena-size", "-1"], "--max-arena-size -1: must be 0 or more"),
        (["--model-name", "1st"], "--model-name 1st: use letters, digits and '_'"),
        (["--labels", str(KWS_DATA)], "--labels needs --dataset"),
        (["--baud", "fast"], "--baud fast: a baud rate"),
        (["--transport", "SPI"], "--transport SPI: not one of USB, UART"),
        (["--verbosity", "7"], "--verbosity 7: 0 to 4"),
        (["--runs", "many"], "argument --runs: invalid int value: 'many'"),
    ],
)
def test_usage_and_input_errors_exit_2(args, message, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = [] if not args or args[0] == "--tflite-filename" else ["--tflite-filename", str(KWS)]
    assert main([*base, *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "projects").exists()


def test_dataset_errors_exit_2_before_anything_is_built(tmp_path, capsys) -> None:
    np.savez(tmp_path / "bad.npz", input_0=np.zeros((3, 49, 10), np.float32))
    code = main(["--tflite-filename", str(KWS), "--model-name", "kws", "--dataset",
                 str(tmp_path / "bad.npz"), "--destination-rootdir", str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.npz:input_0 (feeding input 0 ('input_1', int8 1x49x10x1)): shape (3, 49, 10)" in err
    assert not (tmp_path / "kws/build").exists()


def test_help_lists_every_reference_option(capsys) -> None:
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    reference = [
        "--tflite-filename", "--model-name", "--platform", "--toolchain", "--model-location",
        "--arena-location", "--max-arena-size", "--runs", "--runs-power", "--seed", "--cpu-mode",
        "--joulescope", "--no-create-binary", "--no-create-profile", "--create-library",
        "--create-ambiqsuite-example", "--dataset", "--configfile", "--destination-rootdir",
        "--resultlog-file", "--profile-results-path", "--verbosity", "--transport", "--tty",
        "--baud", *("--" + n.replace("_", "-") for n in NOT_NEEDED),
    ]  # fmt: skip
    assert [flag for flag in reference if flag not in text] == []
    assert "(default: apollo510_evb)" in text and "(default: 200)" in text


def test_init_writes_a_project_scons_can_read(tmp_path, capsys) -> None:
    ic = ROOT / "models/mlperf_tiny_ic_resnet8_cifar10_int8.tflite"
    code = main(["init", str(tmp_path / "p"), "--tflite-filename", str(KWS), "--tflite-filename",
                 str(ic), "--model-location", "MRAM", "--seed", "3"])  # fmt: skip
    assert code == 0 and "scons mlperf_tiny_kws_dscnn_int8-profile" in capsys.readouterr().out
    config = load_config(tmp_path / "p")
    assert sorted(config.models) == [
        "mlperf_tiny_ic_resnet8_cifar10_int8",
        "mlperf_tiny_kws_dscnn_int8",
    ]
    assert {(m.model_location, m.seed) for m in config.models.values()} == {("MRAM", 3)}
    assert (tmp_path / "p/platforms/apollo510_evb.yaml").read_text() == PLATFORM.read_text()
    assert "sconstruct()" in (tmp_path / "p/SConstruct").read_text()
    assert main(["init", str(tmp_path / "p"), "--tflite-filename", str(KWS)]) == 2
    assert "that is a project already" in capsys.readouterr().err
    two = ["--tflite-filename", str(KWS), "--tflite-filename", str(ic), "--model-name", "x"]
    assert main(["init", str(tmp_path / "q"), *two]) == 2


def test_init_keeps_paths_inside_the_project_relative(tmp_path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models/kws.tflite").write_bytes(KWS.read_bytes())
    assert (
        main(["init", str(tmp_path), "--tflite-filename", str(tmp_path / "models/kws.tflite")]) == 0
    )
    models = yaml.safe_load((tmp_path / "models.yaml").read_text())["models"]
    assert models["kws"]["tflite"] == "models/kws.tflite"


def test_exit_codes_from_failure_records() -> None:
    def result(code, *categories):
        return BuildResult(code, [{"category": c} for c in categories], 0)

    assert exit_code(result(0)) == 0
    assert exit_code(result(2, "validation")) == 1
    assert exit_code(result(2, "input")) == 2
    assert exit_code(result(2, "input", "validation")) == 2
    assert exit_code(result(2)) == 3  # e.g. a compiler error: no step recorded a cause
    assert exit_code(result(2, "failure", "validation")) == 3


def test_failed_steps_record_their_category(tmp_path, monkeypatch) -> None:
    from builders.common import step_action

    log = tmp_path / "failures.jsonl"
    monkeypatch.setenv(failures.ENV, str(log))

    def raising(error):
        def action(target, source, env):
            raise error

        return step_action("profile", action)

    class Node:
        def __str__(self):
            return "reports/kws/v/profile.csv"

    for error in (ValidationError("outputs differ"), DatasetError("bad shape"), OSError("x")):
        # an OSError is no AutodeployError: SCons shows it as a crash, and it is not recorded
        with contextlib.suppress(OSError):
            raising(error).execute([Node()], [], None)
    records = failures.read(log)
    assert [(r["step"], r["category"], r["message"]) for r in records] == [
        ("profile", "validation", "outputs differ"),
        ("profile", "input", "bad shape"),
    ]
    assert records[0]["target"] == "reports/kws/v/profile.csv"


def test_progress_lines_drive_bars(tmp_path) -> None:
    assert parse_progress(progress_line("profile", "kws", "run", 3, 10)).done == 3
    assert parse_progress("[profile] reports/kws/x/profile.csv") is None
    stream = (tmp_path / "bars").open("w+")
    bars = Bars(stream, disable=False)
    for k in range(1, 11):
        bars.update(parse_progress(f"[profile] kws: run {k}/10"))
    bars.update(parse_progress("[power] kws: window 2/2"))
    bars.close()
    stream.seek(0)
    text = stream.read()
    assert "kws profile: inferences" in text and "10/10" in text
    assert "kws power: power windows" in text and "2/2" in text
