"""HTML reports (autodeploy.reports): pages and charts from real profile/power/sizes fixtures
(kws: 13 layers with power; mnv3sm: 109 layers without), checked as text, as SVG, and in a
headless Chromium (no broken images, the expected text visible)."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.chromium import render

from autodeploy.memory.boot import no_link_reason
from autodeploy.reports import (
    SWEEP_PAGE_FILES,
    VARIANT_PAGE_FILES,
    write_index_page,
    write_sweep_page,
    write_variant_page,
)
from autodeploy.results import RowContext, infeasible_row, variant_row
from autodeploy.variants import Variant

DATA = Path(__file__).parent / "data" / "reports"
SVG = "{http://www.w3.org/2000/svg}"
VARIANT = "apollo510_evb-gcc-auto-auto-HP"


def load(model: str, name: str) -> dict:
    return json.loads((DATA / model / f"{name}.json").read_text())


def variant_inputs(model: str) -> dict:
    power = load(model, "power") if (DATA / model / "power.json").exists() else None
    return {
        "profile": load(model, "profile"),
        "power": power,
        "sizes": load(model, "sizes"),
        "placement": load(model, "placement"),
    }


def ok_row(model: str, compiler: str, model_loc: str, arena_loc: str, with_power: bool) -> dict:
    """A sweep row as the sweep builder writes it: autodeploy.results from the fixtures."""
    inputs = variant_inputs(model)
    profile = inputs["profile"]
    if compiler == "clang":  # make the compilers differ in the charts
        profile = {**profile, "inference_us": profile["inference_us"] * 1.1}
    variant = Variant(model, "apollo510_evb", compiler, model_loc, arena_loc, "HP")
    run = profile["run"]
    context = RowContext(
        run["tflite_sha256"], run["seed"], profile["toolchain_version"], "adrt 0.6.0",
        "autodeploy board support for QEMU mps3-an547 (emulated)", "validator image",
    )  # fmt: skip
    row = variant_row(
        variant,
        context,
        placement={"placement": {"model_location": model_loc, "arena_location": arena_loc}},
        analysis={"totals": {"macs": profile["total_macs"]}},
        sizes=inputs["sizes"],
        profile=profile,
        power=inputs["power"] if with_power else None,
    )
    return {
        "Status": "ok",
        "Reason": None,
        **row,
        "href": f"../../{model}/{variant.name}/index.html",
    }


def infeasible(model: str, compiler: str, model_loc: str, arena_loc: str) -> dict:
    variant = Variant(model, "apollo510_evb", compiler, model_loc, arena_loc, "HP")
    reason = f"the model ({model}) does not fit {model_loc}: 2,333,232 B > 370,688 B usable"
    return {**infeasible_row(variant, "infeasible", reason), "href": None}


SWEEP = {
    "name": "placement_demo",
    "models": ["kws", "mnv3sm"],
    "axes": {"model_location": ["TCM", "MRAM"], "toolchain": ["gcc", "clang"]},
    "exclude": [{"model_location": "SRAM", "arena_location": "TCM"}],
}


def sweep_rows() -> list[dict]:
    return [
        ok_row("kws", "gcc", "TCM", "TCM", with_power=True),
        ok_row("kws", "clang", "TCM", "TCM", with_power=False),  # no power run
        ok_row("kws", "gcc", "MRAM", "TCM", with_power=True),
        ok_row("kws", "clang", "MRAM", "TCM", with_power=True),
        infeasible("mnv3sm", "gcc", "TCM", "SRAM"),
        infeasible("mnv3sm", "clang", "TCM", "SRAM"),
        ok_row("mnv3sm", "gcc", "MRAM", "SRAM", with_power=False),
        ok_row("mnv3sm", "clang", "MRAM", "SRAM", with_power=False),
    ]


INDEX_MODELS = [
    {
        "name": "kws",
        "tflite": "models/mlperf_tiny_kws_dscnn_int8.tflite",
        "macs": 2656768,
        "weights_bytes": 33392,
        "arena_bytes": 16000,
        "variant": VARIANT,
        "href": f"kws/{VARIANT}/index.html",
        "analysis_href": "kws/analysis.md",
        "inference_ms": 81.966375,
        "timing_source": load("kws", "profile")["timing_source"],
        "validation": "PASS",
    },
    {
        "name": "vww",
        "tflite": "models/mlperf_tiny_vww_mobilenetv1_025_96_int8.tflite",
        "macs": 7489664,
        "weights_bytes": 208000,
        "arena_bytes": None,
        "variant": None,
        "href": None,
        "analysis_href": "vww/analysis.md",
        "inference_ms": None,
        "timing_source": None,
        "validation": None,
    },
]
INDEX_SWEEPS = [
    {
        "name": "placement_demo",
        "href": "sweeps/placement_demo/index.html",
        "variants": 8,
        "infeasible": 2,
        "models": ["kws", "mnv3sm"],
        "axes": SWEEP["axes"],
    }
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A reports/ tree: two variant pages, a sweep page and the index."""
    root = tmp_path_factory.mktemp("reports")
    for model in ("kws", "mnv3sm"):
        write_variant_page(root / model / VARIANT, **variant_inputs(model))
    write_sweep_page(root / "sweeps" / "placement_demo", SWEEP, sweep_rows())
    write_index_page(root / "index.html", INDEX_MODELS, INDEX_SWEEPS)
    return root


def svg(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())  # raises on invalid XML


def gids(tree: ET.Element, prefix: str) -> list[ET.Element]:
    return [g for g in tree.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)]


def visible(html: str) -> str:
    """The page's text with tags dropped and whitespace collapsed (for phrase checks)."""
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)
    return " ".join(text.split())


def test_variant_page_files_and_facts(site):
    out = site / "kws" / VARIANT
    assert sorted(p.name for p in out.iterdir()) == sorted(VARIANT_PAGE_FILES)
    html = (out / "index.html").read_text()
    text = visible(html)
    assert "<title>kws · apollo510_evb-gcc-auto-auto-HP</title>" in html
    assert "81.966 ms (estimated on the emulator)" in text
    assert "measured on board" not in text  # an estimate is never called a measurement
    assert "2,656,768" in text and "32.6 KB (33,392 B) in TCM (auto)" in text
    assert "HP at 250 MHz" in text and "arm-none-eabi-gcc" in text
    # validation and power tables
    assert "2/2" in text and "24/24" in text and "1.000000" in text and "PASS" in text
    assert "reference litert" in text
    assert re.search(r"LP 213\.451 1,664\.9 7\.80 3 modelled", text)
    assert re.search(r"HP 81\.965 2,286\.8 27\.90 3 modelled", text)
    assert "modelled (platform power model)" in text
    # links stay relative: index, profile files beside the page, the charts
    power_md = "../apollo510_evb-gcc-auto-auto/power.md"  # one power report for all CPU modes
    for href in ("../../index.html", "profile.csv", "profile.md", power_md):
        assert f'href="{href}"' in html
    for name in VARIANT_PAGE_FILES[1:]:
        assert f'src="{name}"' in html
    assert "http://" not in html and "https://" not in html


def test_variant_page_without_power_says_how_to_get_it(site):
    text = visible((site / "mnv3sm" / VARIANT / "index.html").read_text())
    assert "No power measurement for this variant ( scons mnv3sm-power )" in text
    assert "power.md" not in text
    assert "litert reference was killed by SIGABRT" in text  # the refused references


def test_variant_page_of_uploaded_weights_says_why_it_has_no_power(tmp_path):
    inputs = {**variant_inputs("mnv3sm"), "no_power": no_link_reason("power app")}
    write_variant_page(tmp_path / "v", **inputs)
    text = visible((tmp_path / "v" / "index.html").read_text())
    assert "No power figures for this variant: the power app has no PC link" in text
    assert "scons mnv3sm-power" not in text


@pytest.mark.parametrize("model, layers", [("kws", 13), ("mnv3sm", 109)])
def test_variant_charts_have_a_mark_per_layer(site, model, layers):
    out = site / model / VARIANT
    profile = load(model, "profile")
    assert len(profile["layer_profile"]) == layers
    assert len(gids(svg(out / "layer_time.svg"), "layer-")) == layers
    # scatter: one <use> marker per layer, split between the log panel and the no-MAC panel
    scatter = svg(out / "macs_time.svg")
    points = sum(len(list(g.iter(f"{SVG}use"))) for g in gids(scatter, "points-"))
    zero = sum(len(list(g.iter(f"{SVG}use"))) for g in gids(scatter, "zero-"))
    with_macs = sum(1 for la in profile["layer_profile"] if la["macs"] > 0)
    assert (points, zero) == (with_macs, layers - with_macs)
    # memory map: a segment per non-empty part of each region
    sizes = load(model, "sizes")["regions"]
    assert {g.get("id").split("-")[1] for g in gids(svg(out / "memory_map.svg"), "mem-")} == {
        name for name, r in sizes.items() if r["used"]
    }
    assert len(gids(svg(out / "memory_map.svg"), "mem-TCM-arena")) == (
        1 if sizes["TCM"]["ram"]["arena"] else 0
    )


def test_variant_layer_chart_is_tall_enough_for_110_layers(site):
    tree = svg(site / "mnv3sm" / VARIANT / "layer_time.svg")
    height_pt = float(tree.get("height").removesuffix("pt"))
    assert height_pt / 109 >= 11  # >= 11 pt per layer: labels do not overlap


def test_sweep_page_table_and_reasons(site):
    out = site / "sweeps" / "placement_demo"
    assert sorted(p.name for p in out.iterdir()) == sorted(SWEEP_PAGE_FILES)
    html = (out / "index.html").read_text()
    text = visible(html)
    assert "Sweep placement_demo" in text and "8 variants" in text
    assert "6 ran, 2 infeasible or unavailable" in text
    assert (
        "model_location TCM, MRAM" in text and "model_location = SRAM, arena_location = TCM" in text
    )
    assert html.count('<tr class="infeasible">') == 2
    assert "does not fit TCM: 2,333,232 B &gt; 370,688 B usable" in html
    assert 'href="../../kws/apollo510_evb-gcc-TCM-TCM-HP/index.html"' in html
    assert "81.966" in text and "90.163" in text  # gcc and the (scaled) clang row
    assert "Times are estimated on the emulator; power is modelled" in text
    assert "Platform (all variants) apollo510_evb" in text  # constant columns leave the table
    assert "<th>Platform</th>" not in html and "<th>Compiler</th>" in html
    # captions name every value a chart could not draw, and why
    latency = visible(html.split('src="latency.svg"')[1].split("</figure>")[0])
    assert "infeasible: the model (mnv3sm) does not fit TCM" in latency
    assert latency.count("mnv3sm / TCM / SRAM /") == 2 and "kws" not in latency
    energy = visible(html.split('src="energy.svg"')[1].split("</figure>")[0])
    assert (
        "not measured: kws / TCM / TCM / clang, mnv3sm / MRAM / SRAM / gcc, "
        "mnv3sm / MRAM / SRAM / clang" in energy
    )
    rom = visible(html.split('src="rom.svg"')[1].split("</figure>")[0])
    assert "not measured" not in rom


def test_sweep_charts_draw_a_bar_per_value(site):
    out = site / "sweeps" / "placement_demo"
    for name, kws_bars, mnv3sm_bars in (
        ("latency.svg", 4, 2),
        ("energy.svg", 2 * 3, 0),  # HP and LP bars of kws' three rows with power
        ("arena.svg", 4, 2),
        ("rom.svg", 4, 2),
    ):
        tree = svg(out / name)
        assert len(gids(tree, "bar-kws-")) == kws_bars, name
        assert len(gids(tree, "bar-mnv3sm-")) == mnv3sm_bars, name


@pytest.mark.parametrize("count", [1, 30])
def test_sweep_copes_with_one_to_thirty_variants(tmp_path, count):
    base = ok_row("kws", "gcc", "TCM", "TCM", with_power=True)
    locations = ["TCM", "SRAM", "MRAM", "PSRAM", "ITCM"]
    rows = []
    for i in range(count):
        row = copy.deepcopy(base)
        row.update(
            {
                "Compiler": ["gcc", "clang", "armclang"][i % 3],
                "Model Location": locations[(i // 3) % 5],
                "CPU Mode": ["HP", "LP"][(i // 15) % 2],
                "Inference ms": 10.0 + i,
            }
        )
        rows.append(row)
    write_sweep_page(tmp_path, {"name": "big", "models": ["kws"], "axes": {}}, rows)
    assert len(gids(svg(tmp_path / "latency.svg"), "bar-kws-")) == count
    assert len(gids(svg(tmp_path / "energy.svg"), "bar-kws-")) == (2 if count == 1 else count)


def test_index_page(site):
    html = (site / "index.html").read_text()
    text = visible(html)
    assert f'href="kws/{VARIANT}/index.html"' in html and 'href="kws/analysis.md"' in html
    assert 'href="sweeps/placement_demo/index.html"' in html
    assert "81.966" in text and "estimated on the emulator" in text
    assert "not profiled yet ( scons vww-profile )" in text
    assert "2,656,768" in text and "32.6 KB" in text


def test_output_is_deterministic(tmp_path):
    for attempt in ("a", "b"):
        write_variant_page(tmp_path / attempt / "v", **variant_inputs("kws"))
        write_sweep_page(tmp_path / attempt / "s", SWEEP, sweep_rows())
    for name in VARIANT_PAGE_FILES:
        assert (tmp_path / "a/v" / name).read_bytes() == (tmp_path / "b/v" / name).read_bytes()
    for name in SWEEP_PAGE_FILES:
        assert (tmp_path / "a/s" / name).read_bytes() == (tmp_path / "b/s" / name).read_bytes()
    assert b"dc:date" not in (tmp_path / "a/v/layer_time.svg").read_bytes()


def test_user_text_is_escaped(tmp_path):
    inputs = variant_inputs("kws")
    evil = "<script>alert(1)</script>"
    inputs["profile"]["model"] = evil
    inputs["profile"]["layer_profile"][0]["tag"] = "0_<b>CONV</b>"
    write_variant_page(tmp_path / "v", **inputs)
    row = infeasible("kws", "gcc", "TCM", "TCM")
    row["Reason"] = evil
    write_sweep_page(tmp_path / "s", {**SWEEP, "name": evil}, [row])
    write_index_page(tmp_path / "index.html", [{**INDEX_MODELS[0], "name": evil}], [])
    for page in (tmp_path / "v/index.html", tmp_path / "s/index.html", tmp_path / "index.html"):
        html = page.read_text()
        assert "<script>" not in html and "&lt;script&gt;" in html, page
    svg(tmp_path / "v/layer_time.svg")  # the tag is escaped in the SVG too (still valid XML)


def test_pages_render_in_chromium(site, tmp_path_factory):
    """Every page loads all its images and shows its key text; screenshots are kept for a look."""
    shots = tmp_path_factory.mktemp("screenshots")
    pages = {
        "kws": (site / "kws" / VARIANT / "index.html", 3, ["kws on apollo510_evb", "LP 213.451"]),
        "mnv3sm": (
            site / "mnv3sm" / VARIANT / "index.html",
            3,
            [
                "mnv3sm on apollo510_evb",
                "No power measurement for this variant (scons mnv3sm-power)",
            ],
        ),
        "sweep": (
            site / "sweeps" / "placement_demo" / "index.html",
            4,
            ["Sweep placement_demo", "infeasible", "does not fit TCM"],
        ),
        "index": (site / "index.html", 0, ["Reports", "placement_demo", "not profiled yet"]),
    }
    for name, (page, images, phrases) in pages.items():
        shot = shots / f"{name}.png"
        rendered = render(page, shot, height=3000)
        assert rendered.broken == [], name
        assert len(rendered.images) == images, name
        assert all(width >= 600 for _, _, width in rendered.images), rendered.images
        text = " ".join(rendered.text.split())
        for phrase in phrases:
            assert phrase in text, (name, phrase)
        assert shot.stat().st_size > 10_000
        assert not list(page.parent.glob(".probe-*")), "probe copy left behind"
    print(f"screenshots in {shots}")


def test_chromium_reports_broken_images(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html><body><p>hello</p><img src="missing.svg"></body></html>')
    rendered = render(page)
    assert rendered.broken == ["missing.svg"] and "hello" in rendered.text
