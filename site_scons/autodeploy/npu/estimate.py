"""One Vela compile and its report: what `<model>-vela` writes as vela.json."""

from __future__ import annotations

from pathlib import Path

from . import report, vela
from .system import VelaSetup


def usable_bytes(platform) -> dict[str, int]:
    """Memory name -> the bytes it offers for weights or an arena (to check Vela's figures)."""
    return {
        m.name: m.usable_for("model") or m.usable_for("arena") for m in platform.memories.values()
    }


def estimate(
    tflite: Path,
    shown: str,
    setup: VelaSetup,
    config_path: Path,
    out_dir: Path,
    name: str,
    platform,
) -> dict:
    """Compile `tflite` into out_dir (vela.output_names(name)) and return the vela.json content."""
    output = vela.compile_model(tflite, shown, setup, config_path, out_dir, name)
    return report.vela_report(
        setup.to_dict(),
        vela.read_summary(output.summary_csv),
        vela.read_per_layer(output.per_layer_csv),
        vela.cpu_layers(output.tflite, output.log, setup.ignore_ops),
        vela.npu_ops(output.tflite),
        vela.operator_counts(output.log),
        usable_bytes(platform),
        vela.vela_version(),
    )
