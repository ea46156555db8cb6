"""Tests of autodeploy.config: the shipped models.yaml and platforms, and every validation error
(each must name the file, the key path and the line, and suggest a fix where one exists)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import time
from pathlib import Path

import pytest

from autodeploy.config import Config, ModelSpec, load_config, load_platform
from autodeploy.config.yaml_source import Source, parse_yaml, to_plain
from autodeploy.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
KB = 1024

BASE_MODELS = """\
defaults:
  platform: apollo510_evb
  toolchain: gcc
  runs: 10
models:
  kws:
    tflite: models/kws.tflite
  ic:
    tflite: models/ic.tflite
"""


def make_project(
    tmp_path: Path, models_yaml: str | None = BASE_MODELS, platforms: dict[str, str] | None = None
) -> Path:
    """A project folder with the shipped platforms, two small fake .tflite files and models.yaml."""
    (tmp_path / "platforms").mkdir()
    for file in (ROOT / "platforms").glob("*.yaml"):
        shutil.copy(file, tmp_path / "platforms" / file.name)
    shutil.copytree(ROOT / "platforms" / "vela", tmp_path / "platforms" / "vela")
    for name, text in (platforms or {}).items():
        (tmp_path / "platforms" / f"{name}.yaml").write_text(text)
    (tmp_path / "models").mkdir()
    for name in ("kws", "ic"):
        (tmp_path / "models" / f"{name}.tflite").write_bytes(b"\0" * 16)
    if models_yaml is not None:
        (tmp_path / "models.yaml").write_text(models_yaml)
    return tmp_path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing `needle`."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth - 1]


def config_error(tmp_path: Path, models_yaml: str, **kw) -> str:
    project = make_project(tmp_path, models_yaml, **kw)
    with pytest.raises(ConfigError) as info:
        load_config(project)
    return str(info.value)


def platform_text(name: str = "apollo4p_evb") -> str:
    return (ROOT / "platforms" / f"{name}.yaml").read_text()


def platform_error(tmp_path: Path, text: str, name: str = "apollo4p_evb") -> str:
    return config_error(tmp_path, BASE_MODELS, platforms={name: text})


# -------------------------------------------------------------------------------------------------
# The shipped configuration


@pytest.fixture(scope="module")
def shipped() -> Config:
    return load_config(ROOT)


def test_shipped_config_loads_every_model_file(shipped: Config) -> None:
    on_disk = {p.name for p in (ROOT / "models").glob("*.tflite")}
    listed = {spec.tflite.name for spec in shipped.models.values()}
    assert listed == on_disk
    for spec in shipped.models.values():
        assert spec.tflite.is_absolute() and spec.tflite.is_file()
    assert shipped.models["kws"].tflite.name == "mlperf_tiny_kws_dscnn_int8.tflite"
    assert shipped.models["mnv3sm"].tflite.name == "mobilenet_v3_small_a075_224_int8.tflite"
    assert set(shipped.models) == {
        "kws", "kws_aligned", "vww", "ic", "ad", "sww", "micro_speech", "hello_world",
        "mnv3sm", "mnv2", "heartkit", "cnn16x8", "kws_lstm", "kws_svdf", "kws_stream",
        "kws_stream_m4", "tcn", "kws_e7", "mnv3sm_e7", "kws_e7_cpu_softmax",
    }  # fmt: skip
    kws = shipped.models["kws"]
    assert (kws.platform, kws.toolchain, kws.model_location, kws.arena_location) == (
        "apollo510_evb", "gcc", "auto", "auto"
    )  # fmt: skip
    assert (kws.runs, kws.seed, kws.cpu_mode, kws.max_arena_size) == (10, 42, "HP", None)
    text = (ROOT / "models.yaml").read_text()
    assert kws.source_line == line_of(text, "  kws:")
    assert shipped.project_dir == ROOT
    assert ROOT / "models.yaml" in shipped.files


def test_shipped_sweeps(shipped: Config) -> None:
    assert shipped.sweeps, "models.yaml should carry example sweeps"
    for sweep in shipped.sweeps.values():
        assert set(sweep.models) <= set(shipped.models)
        assert sweep.axes
    platforms_swept = {p for s in shipped.sweeps.values() for p in s.axes.get("platform", ())}
    assert platforms_swept == {"apollo510_evb", "apollo4p_evb", "alif_e7_hp", "alif_e7_he"}
    assert any(
        set(s.axes.get("toolchain", ())) >= {"gcc", "clang"} for s in shipped.sweeps.values()
    )


def test_apollo510_platform(shipped: Config) -> None:
    p = shipped.platforms["apollo510_evb"]
    assert p.file == ROOT / "platforms" / "apollo510_evb.yaml"
    assert p.core == "cortex-m55" and p.mve == "float" and p.has_mve
    assert p.arch_flags == ("-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard")
    m = p.memories
    assert set(m) == {"MRAM", "SRAM", "TCM", "ITCM", "PSRAM"}
    assert m["MRAM"].size_bytes == 4096 * KB and m["MRAM"].usable_bytes == 3276 * KB
    assert m["SRAM"].size_bytes == 3072 * KB and m["SRAM"].usable_bytes == 2457 * KB
    assert m["TCM"].size_bytes == 512 * KB and m["TCM"].usable_bytes == 362 * KB
    assert m["ITCM"].size_bytes == 256 * KB and m["ITCM"].holds == ("code",)
    assert m["PSRAM"].size_bytes == 32168 * KB
    assert m["PSRAM"].usable_for("arena") == 12000 * KB
    assert m["PSRAM"].usable_for("model") == 20000 * KB
    assert m["PSRAM"].usable_for("code") == 0
    assert not m["MRAM"].volatile and not m["MRAM"].can_hold("arena")
    assert m["MRAM"].usable_for("arena") == 0 and m["MRAM"].usable_for("model") == 3276 * KB
    assert p.cpu_modes["LP"].clock_hz == 96_000_000 and p.cpu_modes["HP"].clock_hz == 250_000_000
    assert p.cpu_modes["HP"].power_mw == pytest.approx(27.9)
    assert p.cpu_modes["LP"].power_mw == pytest.approx(7.8)
    assert p.default_cpu_mode == "HP"
    assert p.transport.baud == 115200 and set(p.transport.supported) == {"usb", "uart"}
    assert p.toolchains == ("gcc", "clang", "armclang")
    gpio = p.power_gpio
    assert (gpio.in0, gpio.in1, gpio.trigger) == (29, 36, 14)
    assert p.power_model.calibrated
    assert p.emulator is not None and p.emulator.machine == "mps3-an547"
    assert (m["TCM"].emulator_base, m["TCM"].emulator_size) == (0x20000000, 512 * KB)
    assert (m["ITCM"].emulator_base, m["SRAM"].emulator_base) == (0x0, 0x21000000)
    assert m["MRAM"].emulator_base == 0x28000000 and m["MRAM"].emulator_read_only
    assert m["PSRAM"].emulator_base == 0x60000000


def test_apollo4p_platform(shipped: Config) -> None:
    p = shipped.platforms["apollo4p_evb"]
    assert p.core == "cortex-m4" and p.mve == "none" and not p.has_mve
    assert p.arch_flags == (
        "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"
    )  # fmt: skip
    m = p.memories
    assert set(m) == {"MRAM", "SRAM", "TCM"}
    assert m["MRAM"].usable_bytes == 1600 * KB
    assert m["SRAM"].usable_bytes == (819 - 85) * KB
    assert m["TCM"].usable_bytes == (384 - 150) * KB
    assert p.cpu_modes["LP"].clock_hz == 96_000_000 and p.cpu_modes["HP"].clock_hz == 192_000_000
    assert not p.power_model.calibrated
    gpio = p.power_gpio
    assert (gpio.in0, gpio.in1, gpio.trigger) == (22, 23, 24)
    assert p.emulator is not None and p.emulator.machine == "mps2-an386"


@pytest.mark.parametrize("board", ["apollo510_evb", "apollo4p_evb"])
def test_emulated_regions_hold_the_real_budget(shipped: Config, board: str) -> None:
    spans = []
    for mem in shipped.platforms[board].memories.values():
        assert mem.emulator_base is not None and mem.emulator_size is not None
        assert mem.emulator_size >= mem.size_bytes
        spans.append((mem.emulator_base, mem.emulator_base + mem.emulator_size))
    spans.sort()
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_to_dict_is_json_and_modelspec_hashable(shipped: Config) -> None:
    spec = shipped.models["kws"]
    d = spec.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["tflite"] == spec.tflite.as_posix() and "source_line" not in d
    assert {spec: 1}[spec] == 1
    plat = shipped.platforms["apollo510_evb"].to_dict()
    assert json.loads(json.dumps(plat)) == plat
    assert plat["memories"]["PSRAM"]["limits"] == {"arena": 12000 * KB, "model": 20000 * KB}
    assert "file" not in plat
    # A fingerprint of the same config is stable from load to load.
    again = load_config(ROOT)
    assert again.models["kws"].to_dict() == d
    assert again.platforms["apollo510_evb"].to_dict() == plat


def test_load_is_fast() -> None:
    load_config(ROOT)  # warm the OS file cache
    start = time.perf_counter()
    for _ in range(5):
        load_config(ROOT)
    per_load = (time.perf_counter() - start) / 5
    assert per_load < 0.1, f"loading the shipped config took {per_load * 1000:.1f} ms"


def test_config_model_lookup_suggests(shipped: Config) -> None:
    assert shipped.model("kws") is shipped.models["kws"]
    assert shipped.platform_of("kws").name == "apollo510_evb"
    with pytest.raises(ConfigError, match="did you mean 'kws'"):
        shipped.model("kwss")


# -------------------------------------------------------------------------------------------------
# models.yaml: values and defaults


def test_defaults_fill_in_and_models_override(tmp_path: Path) -> None:
    text = BASE_MODELS + "    arena_location: SRAM\n    max_arena_size: 64KB\n    seed: 7\n"
    config = load_config(make_project(tmp_path, text))
    ic = config.models["ic"]
    assert (ic.arena_location, ic.max_arena_size, ic.seed, ic.runs) == ("SRAM", 65536, 7, 10)
    kws = config.models["kws"]
    assert (kws.arena_location, kws.max_arena_size, kws.seed) == ("auto", None, 42)
    assert kws.cpu_mode == "HP"  # the platform's default CPU mode
    assert isinstance(kws, ModelSpec) and kws.tflite == (tmp_path / "models/kws.tflite").resolve()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("65536", 65536), ("'64K'", 65536), ("1.5MB", 1536 * KB), ("'2 MiB'", 2 * 1024 * KB)],
)
def test_max_arena_size_forms(tmp_path: Path, text: str, expected: int) -> None:
    config = load_config(make_project(tmp_path, BASE_MODELS + f"    max_arena_size: {text}\n"))
    assert config.models["ic"].max_arena_size == expected


def test_no_defaults_block_needs_platform_per_model(tmp_path: Path) -> None:
    text = "models:\n  kws:\n    tflite: models/kws.tflite\n    platform: apollo4p_evb\n"
    config = load_config(make_project(tmp_path, text))
    kws = config.models["kws"]
    assert (kws.platform, kws.toolchain, kws.runs, kws.seed) == ("apollo4p_evb", "gcc", 10, 42)

    text = "models:\n  kws:\n    tflite: models/kws.tflite\n"
    (tmp_path / "b").mkdir()
    msg = config_error(tmp_path / "b", text)
    assert "models.yaml:2: models.kws.platform: no platform set" in msg
    assert "apollo510_evb" in msg


def test_other_models_file_name(tmp_path: Path) -> None:
    project = make_project(tmp_path, None)
    (project / "sweep.yaml").write_text(BASE_MODELS)
    assert set(load_config(project, "sweep.yaml").models) == {"kws", "ic"}


def test_merge_keys_and_anchors(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        defaults: {platform: apollo510_evb}
        models:
          kws: &small
            tflite: models/kws.tflite
            arena_location: TCM
            runs: 3
          ic:
            <<: *small
            tflite: models/ic.tflite
            runs: 5
        """)
    ic = load_config(make_project(tmp_path, text)).models["ic"]
    assert (ic.tflite.name, ic.arena_location, ic.runs) == ("ic.tflite", "TCM", 5)


def test_runs_power_default_override_and_range(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    text = textwrap.dedent("""\
        defaults: {platform: apollo510_evb}
        models:
          kws: {tflite: models/kws.tflite}
          ic: {tflite: models/ic.tflite, runs_power: 7}
        """)
    models = load_config(make_project(tmp_path / "good", text)).models
    assert (models["kws"].runs_power, models["ic"].runs_power) == (200, 7)
    msg = config_error(tmp_path / "bad", text.replace("runs_power: 7", "runs_power: 0"))
    assert "models.ic.runs_power" in msg


# -------------------------------------------------------------------------------------------------
# models.yaml: errors


def test_missing_models_file(tmp_path: Path) -> None:
    msg = config_error(tmp_path, None)  # type: ignore[arg-type]
    assert msg.startswith("models.yaml: file not found")
    assert "create it" in msg


def test_models_file_is_a_directory(tmp_path: Path) -> None:
    project = make_project(tmp_path, None)
    (project / "models.yaml").mkdir()
    with pytest.raises(ConfigError, match="models.yaml: is a directory"):
        load_config(project)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml") and "empty" in msg
    assert "Traceback" not in msg


def test_explicit_null_document(tmp_path: Path) -> None:
    msg = config_error(tmp_path, "null\n")
    assert msg.startswith("models.yaml:1:") and "expected a mapping" in msg


def test_broken_yaml_syntax(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("    tflite: models/ic.tflite", "    tflite: [models/ic.tflite")
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml:")
    assert "YAML syntax error" in msg
    line = int(re.match(r"models\.yaml:(\d+):", msg).group(1))
    assert line >= line_of(text, "[models/ic.tflite")


def test_bad_indentation_names_line(tmp_path: Path) -> None:
    text = "defaults:\n  platform: apollo510_evb\n runs: 3\nmodels: {}\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml:3: YAML syntax error")


def test_not_utf8(tmp_path: Path) -> None:
    project = make_project(tmp_path, None)
    (project / "models.yaml").write_bytes(b"models:\n  kws:\n    tflite: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"models\.yaml:3: file is not valid UTF-8"):
        load_config(project)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = BASE_MODELS + "sweep:\n  a: 1\n"
    msg = config_error(tmp_path, text)
    assert f"models.yaml:{line_of(text, 'sweep:')}: sweep: unknown key 'sweep'" in msg
    assert "did you mean 'sweeps'?" in msg
    assert "allowed: defaults, models, sweeps" in msg


def test_unknown_model_key(tmp_path: Path) -> None:
    text = BASE_MODELS + "    arena_locaton: SRAM\n"
    msg = config_error(tmp_path, text)
    line = line_of(text, "arena_locaton")
    assert msg.startswith(f"models.yaml:{line}: models.ic.arena_locaton: unknown key")
    assert "did you mean 'arena_location'?" in msg
    assert "tflite" in msg and "max_arena_size" in msg  # the allowed keys are listed


def test_unknown_defaults_key(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("  runs: 10", "  run: 10")
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, 'run: 10')}: defaults.run: unknown key")
    assert "did you mean 'runs'?" in msg


def test_missing_models_section(tmp_path: Path) -> None:
    msg = config_error(tmp_path, "defaults:\n  runs: 3\n")
    assert msg.startswith("models.yaml:1: <top level>: missing required key 'models'")


def test_no_models(tmp_path: Path) -> None:
    msg = config_error(tmp_path, "models: {}\n")
    assert msg.startswith("models.yaml:1: models: no models defined")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    msg = config_error(tmp_path, "- kws\n- ic\n")
    assert msg.startswith("models.yaml:1: <top level>: expected a mapping")


def test_model_entry_not_a_mapping(tmp_path: Path) -> None:
    text = "models:\n  kws: models/kws.tflite\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml:2: models.kws: expected a mapping")
    assert "tflite" in msg


def test_missing_tflite_key(tmp_path: Path) -> None:
    text = BASE_MODELS + "  vww:\n    runs: 3\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, 'runs: 3')}: models.vww:")
    assert "missing required key 'tflite'" in msg


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("runs: ten", "runs", "expected an integer, got the text 'ten'"),
        ("runs: 2.5", "runs", "expected an integer, got the number 2.5"),
        ("runs: true", "runs", "expected an integer, got the boolean true"),
        ("runs: 0", "runs", "0 is too small (minimum 1)"),
        ("runs: [1, 2]", "runs", "expected an integer, got a list"),
        ("seed: -1", "seed", "-1 is too small (minimum 0)"),
        ("seed: 4294967296", "seed", "4294967296 is too large (maximum 4294967295)"),
        ("runs: 1000001", "runs", "1000001 is too large (maximum 1000000)"),
        ("toolchain: 12", "toolchain", "expected text, got the integer 12"),
        ("toolchain: {a: 1}", "toolchain", "expected text, got a mapping"),
        ("tflite: null", "tflite", "a value is required here, got null"),
        ("tflite: 5", "tflite", "expected text, got the integer 5"),
        ("max_arena_size: lots", "max_arena_size", "expected a size in bytes"),
        ("max_arena_size: 0", "max_arena_size", "0 is too small"),
        ("max_arena_size: 1.5", "max_arena_size", "expected a size in bytes"),
    ],
)
def test_wrong_types(tmp_path: Path, line: str, key: str, expected: str) -> None:
    if key == "tflite":
        text = BASE_MODELS.replace("tflite: models/ic.tflite", line)
    else:
        text = BASE_MODELS + f"    {line}\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, line)}: models.ic.{key}: "), msg
    assert expected in msg


def test_a_tflite_that_is_not_a_regular_file_says_so(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("tflite: models/ic.tflite", "tflite: /dev/null")
    msg = config_error(tmp_path, text)
    assert "models.ic.tflite: '/dev/null': is not a regular file" in msg
    assert "does not exist" not in msg


def test_yes_no_are_reported_as_booleans(tmp_path: Path) -> None:
    text = BASE_MODELS + "    toolchain: no\n"
    msg = config_error(tmp_path, text)
    assert "models.ic.toolchain: expected text, got the boolean false" in msg
    assert "quote it" in msg


def test_missing_tflite_file(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("models/ic.tflite", "models/icc.tflite")
    msg = config_error(tmp_path, text)
    line = line_of(text, "icc.tflite")
    assert msg.startswith(f"models.yaml:{line}: models.ic.tflite: 'models/icc.tflite'")
    assert "file does not exist" in msg
    assert "did you mean 'ic.tflite'?" in msg


def test_missing_tflite_file_lists_folder(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("models/ic.tflite", "models/resnet.tflite")
    msg = config_error(tmp_path, text)
    assert "models.ic.tflite" in msg and "models has: ic.tflite, kws.tflite" in msg


def test_missing_tflite_folder(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("models/ic.tflite", "nets/ic.tflite")
    msg = config_error(tmp_path, text)
    assert "models.ic.tflite" in msg and "folder nets does not exist" in msg


def test_tflite_is_a_directory(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("models/ic.tflite", "models")
    msg = config_error(tmp_path, text)
    assert "models.ic.tflite: 'models': is a directory" in msg


@pytest.mark.parametrize(
    ("extra", "bad", "start", "suggestion", "listed"),
    [
        pytest.param(
            "    platform: apollo510evb\n",
            "apollo510evb",
            "models.ic.platform: unknown platform",
            "apollo510_evb",
            "apollo4p_evb",
            id="platform",
        ),
        pytest.param(
            "    arena_location: SRM\n",
            "SRM",
            "models.ic.arena_location: 'SRM' is not allowed",
            "SRAM",
            "allowed: auto, TCM, SRAM, MRAM, PSRAM",
            id="location",
        ),
    ],
)
def test_unknown_value(
    tmp_path: Path, extra: str, bad: str, start: str, suggestion: str, listed: str
) -> None:
    """The error names the line and key, suggests the near miss and lists the choices."""
    text = BASE_MODELS + extra
    msg = config_error(tmp_path, text)
    line = line_of(text, bad)
    assert msg.startswith(f"models.yaml:{line}: {start}")
    assert f"did you mean '{suggestion}'?" in msg
    assert listed in msg


def test_unknown_platform_in_defaults(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("platform: apollo510_evb", "platform: apollo4_evb")
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml:2: defaults.platform: unknown platform 'apollo4_evb'")
    assert "did you mean 'apollo4p_evb'?" in msg


def test_location_wrong_case(tmp_path: Path) -> None:
    text = BASE_MODELS + "    model_location: mram\n"
    msg = config_error(tmp_path, text)
    assert "models.ic.model_location" in msg and "did you mean 'MRAM'?" in msg


def test_location_the_platform_lacks(tmp_path: Path) -> None:
    text = BASE_MODELS + "    platform: apollo4p_evb\n    arena_location: PSRAM\n"
    msg = config_error(tmp_path, text)
    line = line_of(text, "arena_location: PSRAM")
    assert msg.startswith(f"models.yaml:{line}: models.ic.arena_location: ")
    assert "platform 'apollo4p_evb' has no PSRAM memory" in msg
    assert "allowed: auto, SRAM, TCM" in msg


def test_default_location_the_platform_lacks(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("  runs: 10", "  model_location: PSRAM")
    text += "    platform: apollo4p_evb\n"
    msg = config_error(tmp_path, text)
    line = line_of(text, "model_location: PSRAM")
    assert msg.startswith(f"models.yaml:{line}: defaults.model_location: ")
    assert "has no PSRAM memory" in msg and "used by model 'ic'" in msg


def test_arena_in_mram(tmp_path: Path) -> None:
    text = BASE_MODELS + "    arena_location: MRAM\n"
    msg = config_error(tmp_path, text)
    line = line_of(text, "arena_location: MRAM")
    assert msg.startswith(f"models.yaml:{line}: models.ic.arena_location: MRAM (non-volatile)")
    assert "cannot hold the arena" in msg
    assert "allowed: auto, SRAM, TCM, PSRAM" in msg


def test_unsupported_cpu_mode(tmp_path: Path) -> None:
    text = BASE_MODELS + "    cpu_mode: MP\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, 'cpu_mode: MP')}: models.ic.cpu_mode:")
    assert "allowed: LP, HP" in msg


def test_unknown_toolchain(tmp_path: Path) -> None:
    text = BASE_MODELS + "    toolchain: armgcc\n"
    msg = config_error(tmp_path, text)
    assert "models.ic.toolchain: 'armgcc' is not allowed" in msg
    assert "allowed: gcc, clang, armclang" in msg


def test_toolchain_the_platform_lacks(tmp_path: Path) -> None:
    board = platform_text().replace("toolchains: [gcc, clang, armclang]", "toolchains: [gcc]")
    text = BASE_MODELS + "    platform: apollo4p_evb\n    toolchain: clang\n"
    msg = config_error(tmp_path, text, platforms={"apollo4p_evb": board})
    assert f"models.yaml:{line_of(text, 'toolchain: clang')}: models.ic.toolchain:" in msg
    assert "not supported by platform 'apollo4p_evb' (allowed: gcc)" in msg


def test_duplicate_model_names(tmp_path: Path) -> None:
    text = BASE_MODELS + "  kws:\n    tflite: models/ic.tflite\n"
    msg = config_error(tmp_path, text)
    line = line_of(text, "  kws:", nth=2)
    assert msg.startswith(f"models.yaml:{line}: models.kws: duplicate key 'kws'")
    assert f"first defined at line {line_of(text, '  kws:')}" in msg


def test_duplicate_setting(tmp_path: Path) -> None:
    text = BASE_MODELS + "    runs: 3\n    runs: 4\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, 'runs: 4')}: models.ic.runs: duplicate")


def test_bad_model_name(tmp_path: Path) -> None:
    text = BASE_MODELS + "  my-model:\n    tflite: models/ic.tflite\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(f"models.yaml:{line_of(text, 'my-model')}: models.my-model: invalid")


def test_unsupported_tag(tmp_path: Path) -> None:
    text = BASE_MODELS + "    runs: !!python/object:os.system 3\n"
    msg = config_error(tmp_path, text)
    assert f"models.yaml:{line_of(text, 'python/object')}: models.ic.runs: unsupported" in msg


@pytest.mark.parametrize(
    "text",
    [
        "[",
        "{a: 1",
        "models: 5\n",
        "models: [a]\n",
        "models:\n  kws: 5\n",
        "models:\n  kws: [1]\n",
        "? [a, b]\n: c\n",
        "a: &x [*x]\n",
        "models: &m {kws: {tflite: *m}}\n",
        "a: *nothing\n",
        "\tmodels: {}\n",
        "--- a\n--- b\n",
        "models: {kws: {tflite: 5}}\n",
        "models: {kws: {tflite: models/kws.tflite, <<: 5}}\n",
        "models: {kws: {tflite: models/kws.tflite, runs: 2001-01-01}}\n",
        "models: {kws: {tflite: models/kws.tflite, seed: 99999999999}}\n",
        "defaults: []\nmodels: {}\n",
        "models:\n  kws:\n    tflite: models/kws.tflite\nsweeps: [1]\n",
    ],
)
def test_garbage_gives_config_error_only(tmp_path: Path, text: str) -> None:
    msg = config_error(tmp_path, text)
    assert msg.startswith("models.yaml")


# -------------------------------------------------------------------------------------------------
# Sweeps

SWEEP_BASE = BASE_MODELS + "sweeps:\n  s1:\n    models: [kws, ic]\n    axes:\n"


def sweep_text(axes: str, extra: str = "") -> str:
    return SWEEP_BASE + textwrap.indent(textwrap.dedent(axes), "      ") + extra


def test_sweep_loads(tmp_path: Path) -> None:
    text = sweep_text(
        """\
        platform: [apollo510_evb, apollo4p_evb]
        arena_location: [TCM, PSRAM]
        toolchain: [gcc, clang]
        """,
        "    exclude:\n      - {platform: apollo4p_evb, arena_location: PSRAM}\n",
    )
    sweep = load_config(make_project(tmp_path, text)).sweeps["s1"]
    assert sweep.models == ("kws", "ic")
    assert sweep.axes == {
        "platform": ("apollo510_evb", "apollo4p_evb"),
        "arena_location": ("TCM", "PSRAM"),
        "toolchain": ("gcc", "clang"),
    }
    assert sweep.exclude == ({"platform": "apollo4p_evb", "arena_location": "PSRAM"},)
    assert sweep.source_line == line_of(text, "  s1:")
    hash(sweep)


def test_bad_sweep_axis(tmp_path: Path) -> None:
    text = sweep_text("toolchains: [gcc]\n")
    msg = config_error(tmp_path, text)
    line = line_of(text, "toolchains:")
    assert msg.startswith(f"models.yaml:{line}: sweeps.s1.axes.toolchains: unknown sweep axis")
    assert "did you mean 'toolchain'?" in msg
    assert "allowed: platform, toolchain, model_location, arena_location, cpu_mode" in msg


def test_bad_sweep_value(tmp_path: Path) -> None:
    text = sweep_text("arena_location: [TCM, SRAM, Sram2]\n")
    msg = config_error(tmp_path, text)
    line = line_of(text, "Sram2")
    assert msg.startswith(f"models.yaml:{line}: sweeps.s1.axes.arena_location[2]: 'Sram2'")
    assert "did you mean 'SRAM'?" in msg


def test_sweep_value_no_board_has(tmp_path: Path) -> None:
    text = sweep_text("platform: [apollo4p_evb]\nmodel_location: [TCM, PSRAM]\n")
    msg = config_error(tmp_path, text)
    assert "sweeps.s1.axes.model_location[1]: 'PSRAM' is not available" in msg
    assert "apollo4p_evb" in msg


def test_sweep_arena_in_mram(tmp_path: Path) -> None:
    msg = config_error(tmp_path, sweep_text("arena_location: [MRAM]\n"))
    assert "sweeps.s1.axes.arena_location[0]: 'MRAM' is not available" in msg


def test_sweep_bad_platform_value(tmp_path: Path) -> None:
    msg = config_error(tmp_path, sweep_text("platform: [apollo510]\n"))
    assert "sweeps.s1.axes.platform[0]: unknown platform 'apollo510'" in msg
    assert "did you mean 'apollo510_evb'?" in msg


def test_sweep_axis_values_must_be_a_list(tmp_path: Path) -> None:
    text = sweep_text("toolchain: gcc\n")
    msg = config_error(tmp_path, text)
    line = line_of(text, "      toolchain: gcc")
    assert f"models.yaml:{line}: sweeps.s1.axes.toolchain:" in msg
    assert "expected a list" in msg


def test_sweep_duplicate_value(tmp_path: Path) -> None:
    msg = config_error(tmp_path, sweep_text("cpu_mode: [LP, LP]\n"))
    assert "sweeps.s1.axes.cpu_mode[1]: 'LP' is listed twice" in msg


def test_sweep_empty_axes(tmp_path: Path) -> None:
    msg = config_error(tmp_path, SWEEP_BASE.replace("    axes:\n", "    axes: {}\n"))
    assert "sweeps.s1.axes: no axes" in msg


def test_sweep_unknown_model(tmp_path: Path) -> None:
    text = sweep_text("cpu_mode: [LP]\n").replace("[kws, ic]", "[kws, icc]")
    msg = config_error(tmp_path, text)
    line = line_of(text, "[kws, icc]")
    assert msg.startswith(f"models.yaml:{line}: sweeps.s1.models[1]: unknown model 'icc'")
    assert "did you mean 'ic'?" in msg


def test_sweep_bad_exclude(tmp_path: Path) -> None:
    text = sweep_text("cpu_mode: [LP, HP]\n", "    exclude:\n      - {toolchain: gcc}\n")
    msg = config_error(tmp_path, text)
    assert f"models.yaml:{line_of(text, '{toolchain: gcc}')}: sweeps.s1.exclude[0].toolchain" in msg
    assert "not an axis of this sweep" in msg and "allowed: cpu_mode, model" in msg

    text = sweep_text("cpu_mode: [LP, HP]\n", "    exclude:\n      - {cpu_mode: hp}\n")
    (tmp_path / "x").mkdir()
    msg = config_error(tmp_path / "x", text)
    assert "sweeps.s1.exclude[0].cpu_mode: 'hp' is not a value of axis 'cpu_mode'" in msg
    assert "did you mean 'HP'?" in msg


def test_sweep_unknown_key(tmp_path: Path) -> None:
    text = sweep_text("cpu_mode: [LP]\n", "    exclude_if: []\n")
    msg = config_error(tmp_path, text)
    assert f"models.yaml:{line_of(text, 'exclude_if')}: sweeps.s1.exclude_if: unknown key" in msg
    assert "did you mean 'exclude'?" in msg


# -------------------------------------------------------------------------------------------------
# Platform files

P4 = "platforms/apollo4p_evb.yaml"


def test_platform_unknown_key(tmp_path: Path) -> None:
    board = platform_text().replace("core: cortex-m4", "core: cortex-m4\ncores: 2")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'cores: 2')}: cores: unknown key 'cores'")
    assert "did you mean 'core'?" in msg


def test_platform_nested_unknown_key(tmp_path: Path) -> None:
    board = platform_text().replace("    reserve_kb: 150", "    reserve_kib: 150")
    msg = platform_error(tmp_path, board)
    line = line_of(board, "reserve_kib")
    assert msg.startswith(f"{P4}:{line}: memories.TCM.reserve_kib: unknown key")
    assert "did you mean 'reserve_kb'?" in msg


def test_platform_wrong_type(tmp_path: Path) -> None:
    board = platform_text().replace("size_kb: 384", "size_kb: big")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'size_kb: big')}: memories.TCM.size_kb:")
    assert "expected an integer, got the text 'big'" in msg


def test_platform_missing_field(tmp_path: Path) -> None:
    board = platform_text().replace("core: cortex-m4", "")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:") and "<top level>: missing required key 'core'" in msg


def test_platform_missing_nested_field(tmp_path: Path) -> None:
    board = platform_text().replace("{in0: 22, in1: 23, trigger: 24}", "{in0: 22, in1: 23}")
    msg = platform_error(tmp_path, board)
    line = line_of(board, "{in0: 22, in1: 23}")
    assert msg.startswith(f"{P4}:{line}: power.joulescope.gpio: missing required key 'trigger'")


def test_platform_unknown_memory_name(tmp_path: Path) -> None:
    board = platform_text().replace("  SRAM:\n", "  SRAMX:\n")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'SRAMX:')}: memories.SRAMX: unknown memory")
    assert "did you mean 'SRAM'?" in msg and "allowed: TCM, SRAM, MRAM, PSRAM, ITCM" in msg


def test_platform_name_must_match_file(tmp_path: Path) -> None:
    board = platform_text().replace("name: apollo4p_evb", "name: apollo4_evb")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'name: apollo4_evb')}: name: 'apollo4_evb'")
    assert "name: apollo4p_evb" in msg


def test_platform_bad_core(tmp_path: Path) -> None:
    board = platform_text().replace("core: cortex-m4", "core: cortex-m44")
    msg = platform_error(tmp_path, board)
    assert "core: 'cortex-m44' is not allowed" in msg and "did you mean 'cortex-m4'?" in msg


def test_platform_mve_on_m4(tmp_path: Path) -> None:
    board = platform_text().replace("mve: none", "mve: int")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'mve: int')}: mve: cortex-m4 has no MVE")


def test_platform_nonvolatile_arena(tmp_path: Path) -> None:
    board = platform_text().replace("holds: [model, code]", "holds: [model, arena, code]")
    msg = platform_error(tmp_path, board)
    line = line_of(board, "holds: [model, arena, code]")
    assert msg.startswith(f"{P4}:{line}: memories.MRAM.holds: MRAM is non-volatile")


def test_platform_bad_purpose(tmp_path: Path) -> None:
    board = platform_text().replace("holds: [model, code]", "holds: [model, cod]")
    msg = platform_error(tmp_path, board)
    assert "memories.MRAM.holds[1]: 'cod' is not allowed" in msg and "did you mean 'code'" in msg


def test_platform_reserves_too_large(tmp_path: Path) -> None:
    board = platform_text().replace("reserve_kb: 150", "reserve_kb: 400")
    msg = platform_error(tmp_path, board)
    assert "memories.TCM: reserves leave nothing usable" in msg


def test_platform_default_cpu_mode_missing(tmp_path: Path) -> None:
    board = platform_text().replace("  HP: {clock_mhz: 192", "  HPX: {clock_mhz: 192")
    msg = platform_error(tmp_path, board)
    assert "cpu_modes.HPX: unknown CPU mode 'HPX'" in msg and "did you mean 'HP'" in msg


def test_platform_emulated_region_too_small(tmp_path: Path) -> None:
    board = platform_text().replace(
        "base: 0x20000000, size_kb: 512", "base: 0x20000000, size_kb: 256"
    )
    msg = platform_error(tmp_path, board)
    line = line_of(board, "size_kb: 256")
    assert msg.startswith(f"{P4}:{line}: emulator.memory_map.TCM.size_kb: emulated TCM (256 KB)")
    assert "smaller than the real one (384 KB)" in msg


def test_platform_emulated_region_unknown(tmp_path: Path) -> None:
    board = platform_text().replace("region: SSRAM1,", "region: SSRAM,")
    msg = platform_error(tmp_path, board)
    assert "emulator.memory_map.MRAM.region: mps2-an386 has no region 'SSRAM'" in msg
    assert "did you mean" in msg and "allowed: SSRAM1, BLOCKRAM, SSRAM23, PSRAM" in msg


def test_platform_emulated_regions_overlap(tmp_path: Path) -> None:
    board = platform_text().replace("base: 0x20080000", "base: 0x20040000")
    msg = platform_error(tmp_path, board)
    assert f"{P4}:{line_of(board, '0x20040000')}: emulator.memory_map.SRAM: overlaps TCM" in msg


def test_platform_emulated_region_outside_machine(tmp_path: Path) -> None:
    board = platform_text().replace(
        "base: 0x20080000, size_kb: 1024", "base: 0x20380000, size_kb: 1024"
    )
    msg = platform_error(tmp_path, board)
    assert "emulator.memory_map.SRAM: 0x20380000+1024 KB lies outside SSRAM23" in msg


def test_platform_emulator_wrong_cpu(tmp_path: Path) -> None:
    board = platform_text().replace("machine: mps2-an386", "machine: mps3-an547")
    board = board.replace("cpu: cortex-m4\n", "cpu: cortex-m55\n")
    msg = platform_error(tmp_path, board)
    assert "emulator.machine: mps3-an547 emulates a cortex-m55 but this platform's core is" in msg


def test_platform_unknown_memory_in_map(tmp_path: Path) -> None:
    text = platform_text()
    board = text + "    PSRAM: {region: PSRAM, base: 0x21000000, size_kb: 1024}\n"
    msg = platform_error(tmp_path, board)
    assert "emulator.memory_map.PSRAM: 'PSRAM' is not a memory of this platform" in msg


def test_platform_broken_yaml(tmp_path: Path) -> None:
    board = platform_text().replace("core: cortex-m4", "core: [cortex-m4")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:") and "YAML syntax error" in msg


def test_platform_empty_file(tmp_path: Path) -> None:
    msg = platform_error(tmp_path, "", name="empty_board")
    assert msg.startswith("platforms/empty_board.yaml: file is empty")


def test_missing_platforms_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    shutil.rmtree(project / "platforms")
    with pytest.raises(ConfigError, match="platforms/: folder not found"):
        load_config(project)


def test_load_platform_alone() -> None:
    board = load_platform(ROOT / "platforms" / "apollo510_evb.yaml")
    assert board.name == "apollo510_evb" and board.emulator is not None


# -------------------------------------------------------------------------------------------------
# The YAML layer


def test_yaml_nodes_know_their_lines() -> None:
    text = "a:\n  b: [1, 0x10, 'x']\n  c: ~\nd: 2.5\n"
    root = parse_yaml(text, Source(Path("t.yaml"), "t.yaml"))
    assert root.value["a"].line == 2 and root.key_lines["d"] == 4
    assert root.value["a"].value["b"].value[2].line == 2
    assert to_plain(root) == {"a": {"b": [1, 16, "x"], "c": None}, "d": 2.5}


def test_empty_sections_are_allowed(tmp_path: Path) -> None:
    text = "defaults:\nmodels:\n  kws:\n    tflite: models/kws.tflite\n    platform: apollo4p_evb\n"
    config = load_config(make_project(tmp_path, text + "sweeps:\n"))
    assert set(config.models) == {"kws"} and config.sweeps == {}


def test_null_models_section(tmp_path: Path) -> None:
    msg = config_error(tmp_path, "defaults:\n  runs: 2\nmodels:\n")
    assert msg.startswith("models.yaml:3: models: no models defined")


def test_tflite_path_is_normalized_and_absolute(tmp_path: Path) -> None:
    text = BASE_MODELS.replace("models/ic.tflite", "./models/../models/ic.tflite")
    project = make_project(tmp_path, text)
    assert load_config(project).models["ic"].tflite == project.resolve() / "models" / "ic.tflite"


# -------------------------------------------------------------------------------------------------
# firmware: and board_support:


def test_shipped_firmware_layouts(shipped: Config) -> None:
    p510, p4 = shipped.platforms["apollo510_evb"], shipped.platforms["apollo4p_evb"]
    assert (p510.firmware.code_memory, p510.firmware.stack_memory) == ("ITCM", "TCM")
    assert (p4.firmware.code_memory, p4.firmware.stack_memory) == ("MRAM", "TCM")
    assert p510.firmware.stack_bytes == p4.firmware.stack_bytes == 16 * KB
    assert p510.board_support is None and p4.board_support is None
    json.dumps(p510.to_dict())  # the firmware layout is part of the build fingerprint


FW4 = "firmware: {code: MRAM, stack: TCM, stack_kb: 16}"


def test_firmware_section_is_required(tmp_path: Path) -> None:
    board = platform_text().replace(FW4, "")
    assert "<top level>: missing required key 'firmware'" in platform_error(tmp_path, board)


@pytest.mark.parametrize(
    "layout, expected",
    [
        ("{code: TCM, stack: TCM}", "firmware.code: TCM does not hold code"),
        ("{code: MRAM, stack: MRAM}", "firmware.stack: MRAM is non-volatile"),
        ("{code: MRAM, stack: PSRAM}", "firmware.stack: this platform has no PSRAM memory"),
        ("{code: MRAM, stack: TCM, stack_kb: 384}", "firmware.stack_kb: 384 KB does not fit"),
        ("{code: MRAM, stak: TCM}", "firmware.stak: unknown key 'stak'; did you mean 'stack'?"),
        ("{code: mram, stack: TCM}", "firmware.code: 'mram' is not allowed; did you mean 'MRAM'"),
    ],
)
def test_firmware_layout_errors(tmp_path: Path, layout: str, expected: str) -> None:
    board = platform_text().replace(FW4, f"firmware: {layout}")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'firmware: {')}: ") and expected in msg


def test_shipped_boot_memories(shipped: Config) -> None:
    assert {p.boot_memory for p in shipped.platforms.values()} == {"MRAM"}
    assert shipped.platforms["apollo510_evb"].to_dict()["boot_memory"] == "MRAM"  # fingerprinted


BOOT4 = "boot_memory: MRAM\n"


def test_boot_memory_defaults_to_the_one_non_volatile_code_memory(tmp_path: Path) -> None:
    board = platform_text().replace(BOOT4, "")
    project = make_project(tmp_path, BASE_MODELS, platforms={"apollo4p_evb": board})
    assert load_config(project).platforms["apollo4p_evb"].boot_memory == "MRAM"


def test_platform_without_non_volatile_memory_for_the_boot_image(tmp_path: Path) -> None:
    board = platform_text().replace(BOOT4, "").replace("volatile: false", "volatile: true")
    msg = platform_error(tmp_path, board)
    start = f"{P4}:{line_of(board, '  MRAM:')}: memories: no non-volatile memory can hold the boot"
    assert msg.startswith(start), msg
    for memory in (
        "MRAM (2000 KB, volatile)",
        "SRAM (1024 KB, volatile)",
        "TCM (384 KB, volatile)",
    ):
        assert memory in msg
    assert "Add one with volatile: false and code in holds, and name it in boot_memory" in msg


@pytest.mark.parametrize(
    "value, expected",
    [
        ("TCM", "boot_memory: TCM is volatile (its contents are lost at power-up); the boot memory "
         "must be non-volatile and hold code (allowed: MRAM)"),
        ("PSRAM", "boot_memory: this platform has no PSRAM memory"),
        ("mram", "boot_memory: 'mram' is not allowed; did you mean 'MRAM'?"),
    ],
)  # fmt: skip
def test_boot_memory_errors(tmp_path: Path, value: str, expected: str) -> None:
    board = platform_text().replace(BOOT4, f"boot_memory: {value}\n")
    msg = platform_error(tmp_path, board)
    assert msg.startswith(f"{P4}:{line_of(board, 'boot_memory: ')}: ") and expected in msg, msg


def test_boot_memory_must_hold_code(tmp_path: Path) -> None:
    board = platform_text().replace("holds: [model, code]", "holds: [model]")
    board = board.replace("code: MRAM", "code: SRAM")
    msg = platform_error(tmp_path, board)
    assert "boot_memory: MRAM does not hold code (holds: model)" in msg, msg


def test_stack_in_read_only_emulated_memory(tmp_path: Path) -> None:
    board = platform_text("apollo510_evb").replace("stack: TCM", "stack: SRAM")
    board = board.replace("size_kb: 4096}", "size_kb: 4096, read_only: true}")
    board = board.replace("holds: [model, arena, code]", "holds: [model, code]")
    msg = platform_error(tmp_path, board, name="apollo510_evb")
    assert "firmware.stack: SRAM is mapped read-only on the emulator" in msg


BOARD_SUPPORT = """
board_support:
  sources: [vendor/bsp]
  include: [vendor/include]
  flash: "jlink-flash --device AP4 --port {device} {elf}"
  memory_map:
    MRAM: {region: MRAM, base: 0x00018000, size_kb: 2000, read_only: true}
    TCM:  {base: 0x10000000, size_kb: 384}
    SRAM: {base: 0x10060000, size_kb: 1024}
"""


def board_support_project(tmp_path: Path, text: str) -> Path:
    for folder in ("vendor/bsp", "vendor/include"):
        (tmp_path / folder).mkdir(parents=True)
    return make_project(tmp_path, platforms={"apollo4p_evb": platform_text() + text})


def test_flash_template_may_use_a_farm_places_fields(tmp_path: Path) -> None:
    flash = "ssh-free-flash --host {host} --place {place} --probe {tags[probe_sn]} {elf}"
    text = BOARD_SUPPORT.replace("jlink-flash --device AP4 --port {device} {elf}", flash)
    board = load_config(board_support_project(tmp_path, text)).platforms["apollo4p_evb"]
    assert board.board_support.flash == flash


def test_board_support_loads(tmp_path: Path) -> None:
    board = load_config(board_support_project(tmp_path, BOARD_SUPPORT)).platforms["apollo4p_evb"]
    bs = board.board_support
    assert bs is not None
    assert bs.sources == ("vendor/bsp",) and bs.include == ("vendor/include",)
    assert bs.flash == "jlink-flash --device AP4 --port {device} {elf}"
    assert (bs.memory_map["MRAM"].base, bs.memory_map["MRAM"].size) == (0x18000, 2000 * KB)
    assert bs.memory_map["MRAM"].read_only and not bs.memory_map["TCM"].read_only
    json.dumps(board.to_dict())


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("[vendor/bsp]", "[vendor/bps]", "board_support.sources[0]: 'vendor/bps' is not a folder"),
        ("{elf}", "{hex}", "board_support.flash: unknown placeholder {hex}"),
        ("{device}", "{tags[Serial]}", "board_support.flash: unknown placeholder {tags[Serial]}"),
        ("{device}", "{tags}", "board_support.flash: unknown placeholder {tags}"),
        (" {elf}", "", "board_support.flash: the command never names the image; add {elf}"),
        ("    SRAM: {base", "    SRAN: {base", "board_support.memory_map.SRAN: 'SRAN' is not a"),
        ("0x10060000", "0x10050000", "board_support.memory_map.SRAM: overlaps TCM"),
        (
            "TCM:  {base",
            "TCM:  {size",
            "memory_map.TCM.size: unknown key 'size'; did you mean 'size_kb'?",
        ),
    ],
)
def test_board_support_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = BOARD_SUPPORT.replace(old, new)
    project = board_support_project(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(project)
    line = line_of(platform_text() + text, new.strip() or "jlink-flash")
    assert str(info.value).startswith(f"{P4}:{line}: ") and expected in str(info.value)


def test_kernels_portable_keeps_a_platform_to_plain_c(tmp_path: Path) -> None:
    from autodeploy.target import MVE, PORTABLE, target_for

    text = platform_text("apollo510_evb").replace("kernels: auto", "kernels: portable")
    project = make_project(tmp_path, BASE_MODELS, platforms={"apollo510_evb": text})
    assert target_for(load_config(project).platforms["apollo510_evb"]) == PORTABLE
    assert target_for(load_config(ROOT).platforms["apollo510_evb"]) == MVE
    (tmp_path / "bad").mkdir()
    bad = text.replace("kernels: portable", "kernels: helium")
    message = platform_error(tmp_path / "bad", bad, "apollo510_evb")
    assert "kernels: 'helium' is not" in message and "portable" in message


# -------------------------------------------------------------------------------------------------
# NPU boards, Vela settings and converted models


def test_alif_platforms_and_their_npus(shipped: Config) -> None:
    hp, he = shipped.platforms["alif_e7_hp"], shipped.platforms["alif_e7_he"]
    assert (hp.npu.accelerator, hp.npu.clock_hz) == ("ethos-u55-256", 400_000_000)
    assert (he.npu.accelerator, he.npu.clock_hz) == ("ethos-u55-128", 160_000_000)
    assert hp.cpu_modes["HP"].clock_hz == 400_000_000 and he.cpu_modes["HP"].clock_hz == 160_000_000
    assert hp.memories["TCM"].size_bytes == 1024 * KB and he.memories["TCM"].size_bytes == 256 * KB
    for p in (hp, he):
        m = p.memories
        assert m["MRAM"].size_bytes == 5632 * KB and not m["MRAM"].volatile
        assert m["SRAM"].size_bytes == 4096 * KB and m["ITCM"].size_bytes == 256 * KB
        assert m["OSPI"].size_bytes == 32 * 1024 * KB and m["OSPI"].holds == ("model",)
        assert p.npu.mlek.target_subsystem == f"RTSS-{p.name[-2:].upper()}"
    assert hp.memories["TCM"].emulator_region == "FPGA_SRAM"  # the an547's DTCM is 512 KB
    assert shipped.platforms["apollo510_evb"].npu is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  macs: 256", "  macs: 100",
         "npu.macs: ethos-u55 comes with 32, 64, 128, 256 MACs per cycle, not 100"),
        ("  vela_config: platforms/vela/alif_e7.ini", "  vela_config: platforms/vela/nope.ini",
         "npu.vela_config: 'platforms/vela/nope.ini' is not a Vela .ini file"),
        ("  kind: ethos-u55", "  kind: Ethos-U55",
         "npu.kind: 'Ethos-U55' is not allowed; did you mean 'ethos-u55'?"),
        ('  system_config: "Alif_E7_HP_{arena}_{weights}"', '  system_config: "E7_{core}"',
         "npu.system_config: bad name template ('core'); use {arena} and {weights}"),
    ],
)  # fmt: skip
def test_npu_section_errors_name_file_key_and_line(tmp_path, old, new, expected) -> None:
    text = platform_text("alif_e7_hp")
    assert old in text
    bad = text.replace(old, new)
    msg = platform_error(tmp_path, bad, "alif_e7_hp")
    assert msg.startswith(f"platforms/alif_e7_hp.yaml:{line_of(bad, new.strip())}: {expected}"), msg


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("    tflite: models/kws.tflite\n    source: models/kws.tflite\n",
         "models.m.source: give either 'tflite:' (an int8 model) or 'source:'"),
        ("    source: models/model.keras\n",
         "models.m.calibration: a converted model needs 'calibration:'"),
        ("    source: models/kws.tflite\n    calibration: models/c.npy\n",
         "models.m.source: 'models/kws.tflite' is not a .keras, .h5, .onnx file or a SavedModel"),
        ("    source: models/model.keras\n    calibration: models/kws.tflite\n",
         "models.m.calibration: 'models/kws.tflite' is not a .npy or .npz file"),
        ("    tflite: models/kws.tflite\n    quantize: int8\n",
         "models.m.quantize: only a model with 'source:' is converted"),
        ("    tflite: models/kws.tflite\n    vela_ignore_ops: [SOFTMAXX]\n",
         "models.m.vela_ignore_ops: 'SOFTMAXX' is not a TFLite op; did you mean 'SOFTMAX'?"),
    ],
)  # fmt: skip
def test_conversion_and_vela_keys_are_checked(tmp_path, entry, expected) -> None:
    project = make_project(tmp_path, None)
    (project / "models" / "model.keras").write_bytes(b"PK")
    (project / "models" / "c.npy").write_bytes(b"\x93NUMPY")
    text = BASE_MODELS + "  m:\n" + entry
    (project / "models.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(project)
    assert re.match(r"models\.yaml:\d+: ", str(info.value)), info.value
    assert expected in str(info.value)


def test_a_converted_model_reads_its_build_output(tmp_path) -> None:
    project = make_project(tmp_path, None)
    (project / "models" / "model.onnx").write_bytes(b"onnx")
    (project / "models" / "c.npz").write_bytes(b"PK")
    (project / "models.yaml").write_text(
        BASE_MODELS + "  m:\n    source: models/model.onnx\n    calibration: models/c.npz\n"
        "    quantize: 16x8\n"
    )
    spec = load_config(project).models["m"]
    assert spec.tflite == project / "build" / "m" / "convert" / "m.tflite"
    assert (spec.source.name, spec.calibration.name, spec.quantize) == (
        "model.onnx",
        "c.npz",
        "16x8",
    )


def test_npu_sweep_axes_need_a_board_with_an_npu(tmp_path) -> None:
    text = BASE_MODELS + "sweeps:\n  s:\n    models: [kws]\n    axes:\n      optimise: [Size]\n"
    msg = config_error(tmp_path, text)
    assert msg.startswith(
        f"models.yaml:{line_of(text, 'optimise: [Size]')}: sweeps.s.axes.optimise[0]:"
    )
    assert "no platform of this sweep has an NPU (apollo510_evb); optimise is a Vela setting" in msg


# -------------------------------------------------------------------------------------------------
# Core counter events (pmu.events in a platform, pmu_events / pmu_full_capture per model)


def test_counter_events_default_per_core_and_model_override(tmp_path: Path, shipped) -> None:
    assert shipped.platforms["apollo510_evb"].pmu_events == (
        "ARM_PMU_MVE_INST_RETIRED", "ARM_PMU_MVE_INT_MAC_RETIRED", "ARM_PMU_INST_RETIRED",
        "ARM_PMU_BUS_CYCLES",
    )  # fmt: skip
    assert shipped.platforms["apollo4p_evb"].pmu_events == (
        "DWT_CYCCNT", "DWT_CPICNT", "DWT_EXCCNT", "DWT_SLEEPCNT", "DWT_LSUCNT", "DWT_FOLDCNT",
    )  # fmt: skip
    text = BASE_MODELS.replace(
        "    tflite: models/kws.tflite\n",
        "    tflite: models/kws.tflite\n    pmu_events: [ARM_PMU_CPU_CYCLES, ARM_PMU_STALL,\n"
        "      ARM_PMU_MVE_STALL, ARM_PMU_L1D_CACHE_REFILL, ARM_PMU_MVE_PRED]\n"
        "    pmu_full_capture: true\n",
    )
    config = load_config(make_project(tmp_path, text))
    kws, ic = config.models["kws"], config.models["ic"]
    assert kws.pmu_events[-1] == "ARM_PMU_MVE_PRED" and kws.pmu_full_capture
    assert ic.pmu_events is None and not ic.pmu_full_capture  # the platform's


@pytest.mark.parametrize(
    "setting, where, message",
    [
        (
            "    pmu_events: [ARM_PMU_INST_RETIRED, ARM_PMU_INST_RETIRD]\n",
            "pmu_events",
            "models.kws.pmu_events: [1]: unknown Armv8.1-M PMU event 'ARM_PMU_INST_RETIRD' for "
            "cortex-m55; did you mean 'ARM_PMU_INST_RETIRED'?",
        ),
        (
            "    pmu_events: [ARM_PMU_INST_RETIRED, ARM_PMU_INST_RETIRED]\n",
            "pmu_events",
            "models.kws.pmu_events: [1]: 'ARM_PMU_INST_RETIRED' is listed twice",
        ),
        (
            "    pmu_events: [ARM_PMU_INST_RETIRED, ARM_PMU_CPU_CYCLES, ARM_PMU_STALL,\n"
            "      ARM_PMU_MVE_STALL, ARM_PMU_MVE_PRED]\n",
            "pmu_events",
            "models.kws.pmu_events: 5 events, but the cortex-m55's Armv8.1-M PMU counts 4 at "
            "once (8 16-bit counters chained in pairs); list at most 4, or set "
            "pmu_full_capture: true",
        ),
        (
            "    pmu_events: [DWT_CYCCNT]\n",
            "pmu_events",
            "unknown Armv8.1-M PMU event 'DWT_CYCCNT' for cortex-m55; events are named like",
        ),
        ("    pmu_full_capture: maybe\n", "pmu_full_capture", "expected true or false"),
    ],
)
def test_counter_event_errors_name_file_field_and_event(
    tmp_path: Path, setting: str, where: str, message: str
) -> None:
    text = BASE_MODELS.replace(
        "    tflite: models/kws.tflite\n", "    tflite: models/kws.tflite\n" + setting
    )
    error = config_error(tmp_path, text)
    assert error.startswith(f"models.yaml:{line_of(text, where)}: ")
    assert message in error


def _without_pmu(name: str) -> str:
    text, count = re.subn(r"\npmu:\n  events: \[[^\]]*\]\n", "\n", platform_text(name))
    assert count == 1
    return text


def test_platform_counter_events_are_checked(tmp_path: Path) -> None:
    text = _without_pmu("apollo4p_evb") + "pmu:\n  events: [DWT_CYCCNT, ARM_PMU_INST_RETIRED]\n"
    error = platform_error(tmp_path, text)
    assert error.startswith(f"platforms/apollo4p_evb.yaml:{line_of(text, 'events:')}: ")
    assert "pmu.events[1]: unknown DWT counters event 'ARM_PMU_INST_RETIRED' for cortex-m4" in error
    # a long platform list is for models with full capture: the others are told so
    long = (
        "pmu:\n  events: [ARM_PMU_INST_RETIRED, ARM_PMU_CPU_CYCLES, ARM_PMU_STALL,\n"
        "    ARM_PMU_MVE_STALL, ARM_PMU_MVE_PRED]\n"
    )
    (tmp_path / "b").mkdir()
    error = platform_error(tmp_path / "b", _without_pmu("apollo510_evb") + long, "apollo510_evb")
    assert "models.yaml:6: models.kws: 5 events, but the cortex-m55's" in error
    assert "(the events are pmu.events of platform 'apollo510_evb')" in error
