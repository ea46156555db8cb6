"""Import the console log of the ML Embedded Evaluation Kit's inference_runner use case, so that
a user with a board can set measured NPU cycles beside Vela's estimate.

The use case ends its log with "Final results:" and a "Profile for Inference:" block of lines
such as "NPU ACTIVE cycles: 1234", "NPU IDLE cycles: 5", "NPU TOTAL cycles: 1239" and the NPU's
AXI beat counters ("NPU AXI0_RD_DATA_BEAT_RECEIVED beats: 100"), each line usually behind a log
prefix such as "INFO - ". The last profile block in the log counts (a log may hold several runs).
No board was available where this was written: the parser is tested on logs written from that
documented format, not on a real board's output.
"""

from __future__ import annotations

import re

from ..errors import AutodeployError

_PROFILE = re.compile(r"Profile for Inference\s*:?")
_CYCLES = re.compile(r"\bNPU (ACTIVE|IDLE|TOTAL) cycles\s*:\s*(\d+)")
_BEATS = re.compile(r"\bNPU (AXI\d_\w+?) beats\s*:\s*(\d+)")


class MlekLogError(AutodeployError):
    """The log has no usable profile block."""


def parse_profile(text: str, shown: str) -> dict:
    """{"active_cycles", "idle_cycles", "total_cycles", "axi_beats": {counter: n}} of the last
    "Profile for Inference" block of `text` (named `shown` in errors)."""
    starts = [m.end() for m in _PROFILE.finditer(text)]
    if not starts:
        raise MlekLogError(
            f"{shown}: no 'Profile for Inference' block; is this the console log of the "
            "inference_runner use case, run to the end?"
        )
    block = text[starts[-1] :]
    cycles = {name.lower(): int(value) for name, value in _CYCLES.findall(block)}
    if "active" not in cycles or "total" not in cycles:
        raise MlekLogError(
            f"{shown}: the last 'Profile for Inference' block has no 'NPU ACTIVE cycles' and "
            "'NPU TOTAL cycles' lines (was the kit built with the NPU's PMU counters?)"
        )
    return {
        "active_cycles": cycles["active"],
        "idle_cycles": cycles.get("idle"),
        "total_cycles": cycles["total"],
        "axi_beats": {name: int(value) for name, value in _BEATS.findall(block)},
    }


def compare(measured: dict, vela: dict) -> dict:
    """Measured NPU cycles beside Vela's estimate for the same compile."""
    estimate = vela["total_cycles"]
    clock = vela["npu_clock_hz"]
    return {
        "measured": measured,
        "vela_estimate_cycles": estimate,
        "measured_ms": measured["active_cycles"] / clock * 1000,
        "vela_estimate_ms": vela["inference_ms"],
        "measured_over_estimate": measured["active_cycles"] / estimate if estimate else None,
        "npu_clock_hz": clock,
    }


def render_markdown(model: str, log_name: str, result: dict) -> str:
    m = result["measured"]
    lines = [
        f"# {model}: NPU cycles measured on a board beside Vela's estimate",
        "",
        f"From the inference_runner console log `{log_name}` (measured on a board) and this "
        "build's vela.json (Vela estimate).",
        "",
        "| | measured on board | Vela estimate |",
        "|---|---:|---:|",
        f"| NPU active cycles | {m['active_cycles']:,} | {result['vela_estimate_cycles']:,} |",
        f"| Time at {result['npu_clock_hz'] / 1e6:g} MHz | {result['measured_ms']:.3f} ms "
        f"| {result['vela_estimate_ms']:.3f} ms |",
        f"| NPU total cycles | {m['total_cycles']:,} | |",
        f"| NPU idle cycles | {m['idle_cycles'] if m['idle_cycles'] is not None else '–'} | |",
    ]
    lines += [f"| {name} | {value:,} | |" for name, value in sorted(m["axi_beats"].items())]
    ratio = result["measured_over_estimate"]
    if ratio is not None:
        lines += ["", f"Measured / estimated active cycles: {ratio:.2f}."]
    return "\n".join(lines) + "\n"
