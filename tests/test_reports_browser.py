"""`scons reports` end to end, then the pages in headless Chromium: the index, a variant page and
a sweep page show what they should, every image loads and every link leads to a file."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from scons_project import SconsProject
from support.chromium import render

MODELS = """\
defaults:
  platform: apollo510_evb
  toolchain: gcc
  model_location: auto
  arena_location: auto
  max_arena_size: null
  runs: 2
  runs_power: 2
  seed: 42
  cpu_mode: HP
models:
  kws:
    tflite: models/mlperf_tiny_kws_dscnn_int8.tflite
  ad:
    tflite: models/mlperf_tiny_ad_fc_autoencoder_int8.tflite
sweeps:
  both_boards:
    description: KWS and AD with weights in TCM on both boards
    models: [kws, ad]
    axes:
      platform: [apollo510_evb, apollo4p_evb]
      model_location: [TCM]
"""
KWS_PAGE = "reports/kws/apollo510_evb-gcc-auto-auto-HP/index.html"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> SconsProject:
    project = SconsProject(tmp_path_factory.mktemp("reports"))
    (project.root / "models.yaml").write_text(MODELS)
    project.result = project.scons("-j2", "reports")
    project.shots = tmp_path_factory.mktemp("screenshots")
    return project


def links(page: Path) -> list[str]:
    return [unquote(h) for h in re.findall(r'href="([^"#]+)"', page.read_text()) if "//" not in h]


def test_every_page_link_leads_to_a_file(project) -> None:
    pages = [
        project.root / "reports/index.html",
        project.root / KWS_PAGE,
        project.root / "reports/sweeps/both_boards/index.html",
    ]
    for page in pages:
        hrefs = links(page)
        assert hrefs, f"{page} links nowhere"
        missing = [h for h in hrefs if not (page.parent / h).exists()]
        assert not missing, f"{page}: broken links {missing}"


def test_index_lists_models_and_sweeps(project) -> None:
    shown = render(project.root / "reports/index.html", project.shots / "index.png")
    assert not shown.broken
    for text in ("kws", "ad", "both_boards", "PASS", "estimated on the emulator"):
        assert text in shown.text, text


def test_variant_page_shows_charts_memory_validation_and_power(project) -> None:
    shown = render(project.root / KWS_PAGE, project.shots / "kws.png")
    assert not shown.broken and len(shown.images) >= 3
    assert all(width > 0 for _, _, width in shown.images)
    for text in ("TCM", "PASS", "modelled", "HP", "LP", "memory"):
        assert text in shown.text, text
    chart = (project.root / KWS_PAGE).with_name("layer_time.svg").read_text()
    assert "DEPTHWISE_CONV_2D" in chart and "CONV_2D" in chart  # bars coloured by op, legend
    assert "measured on board" not in shown.text  # an emulator run never claims a measurement


def test_sweep_page_compares_variants_and_names_the_infeasible_one(project) -> None:
    shown = render(project.root / "reports/sweeps/both_boards/index.html", project.shots / "s.png")
    assert not shown.broken and len(shown.images) == 4
    assert "infeasible" in shown.text and "apollo4p_evb" in shown.text
    assert "KWS and AD with weights in TCM on both boards" in shown.text
    assert (
        "[sweep both_boards] infeasible: ad apollo4p_evb-gcc-TCM-auto-HP" in project.result.stdout
    )
