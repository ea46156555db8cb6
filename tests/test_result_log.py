"""Result rows (autodeploy.results): built from a variant's reports, keyed by variant and inputs,
upserted into the result log, and safe to update from parallel build threads."""

from __future__ import annotations

import threading
from dataclasses import replace

from autodeploy.results import (
    LOG_COLUMNS,
    SWEEP_COLUMNS,
    RowContext,
    infeasible_row,
    read_rows,
    upsert_rows,
    variant_row,
    write_rows,
)
from autodeploy.results.columns import REFERENCE_COLUMNS
from autodeploy.variants import Variant

VARIANT = Variant("kws", "apollo510_evb", "gcc", "auto", "SRAM", "HP")
SHA = "ab" * 32
CONTEXT = RowContext(SHA, 42, "gcc 12.2.1", "adrt 0.6.0", "emulated BSP", "validator image")
PLACEMENT = {"placement": {"model_location": "TCM", "arena_location": "SRAM"}}
ANALYSIS = {"totals": {"macs": 2656768}}
SIZES = {
    "regions": {
        "TCM": {"rom": {"model": 33392}, "ram": {"arena": 0}, "rom_bytes": 33392, "ram_bytes": 0},
        "SRAM": {"rom": {"model": 0}, "ram": {"arena": 16000}, "rom_bytes": 0, "ram_bytes": 20480},
        "ITCM": {"rom": {"model": 0}, "ram": {"arena": 0}, "rom_bytes": 12518, "ram_bytes": 0},
    },
    "sections": [{"name": ".adrt_model", "kind": "model", "size": 33392}],
}


def run(date: str, sha: str = SHA, seed: int = 42) -> dict:
    return {"id": f"id-{date}", "date": date, "tflite_sha256": sha, "seed": seed}


PROFILE = {
    "run": run("2026-11-21T10:00:00+00:00"),
    "inference_us": 81966.25,
    "timing_source": "estimated on the emulator (QEMU mps3-an547)",
    "total_instructions": 20491562,
    "validation": {"passed": True},
    "runs": 10,
}
POWER = {
    "run": run("2026-11-21T10:05:00+00:00"),
    "source": "modelled (platform power model)",
    "summary": {"HP ms": 81.9, "HP uJ": 2286.8, "HP mW": 27.9, "LP ms": 213.4, "LP uJ": 1664.9,
                "LP mW": 7.8},
}  # fmt: skip


def row(profile=PROFILE, power=POWER, variant=VARIANT, context=CONTEXT) -> dict:
    return variant_row(
        variant,
        context,
        placement=PLACEMENT,
        analysis=ANALYSIS,
        sizes=SIZES,
        profile=profile,
        power=power,
    )


def test_row_has_the_reference_columns_then_ours_with_sizes_per_memory() -> None:
    r = row()
    assert list(r)[: len(REFERENCE_COLUMNS)] == list(REFERENCE_COLUMNS)
    assert set(LOG_COLUMNS) <= set(r)
    assert r["Model Size KB"] == 32.61 and r["Arena Size KB"] == 15.62
    assert r["Model Location"] == "TCM" and r["Arena Location"] == "SRAM"  # as placed
    assert r["ROM KB"] == round((33392 + 12518) / 1024, 2) and r["RAM KB"] == 20.0
    assert r["ROM TCM KB"] == 32.61 and r["RAM SRAM KB"] == 20.0 and r["ROM ITCM KB"] == 12.22
    assert r["Inference ms"] == 81.9663 and r["Instructions"] == 20491562 and r["Cycles"] is None
    assert r["HP uJ"] == 2286.8 and r["LP mW"] == 7.8
    assert r["Timing Source"].startswith("estimated on the emulator")
    assert r["Power Source"] == "modelled (platform power model)"
    assert r["Validation"] == "PASS" and r["Runs"] == 10
    # the latest of the two measurements dates the row
    assert r["Date"] == POWER["run"]["date"] and r["Run ID"] == POWER["run"]["id"]


def test_reports_of_other_inputs_are_left_out() -> None:
    stale = {**POWER, "run": run("2026-11-22T00:00:00+00:00", sha="cd" * 32)}
    r = row(power=stale)
    assert r["HP ms"] is None and r["Power Source"] is None
    assert r["Date"] == PROFILE["run"]["date"]
    other_seed = {**PROFILE, "run": run("2026-11-21T10:00:00+00:00", seed=7)}
    assert row(profile=other_seed)["Inference ms"] is None


def test_power_only_and_profile_only_rows() -> None:
    assert row(profile=None)["Inference ms"] is None and row(profile=None)["HP ms"] == 81.9
    assert row(power=None)["HP ms"] is None and row(power=None)["Validation"] == "PASS"


def test_upsert_replaces_the_same_variant_and_inputs_and_keeps_others(tmp_path) -> None:
    log = tmp_path / "reports" / "results.csv"
    upsert_rows(log, [row()])
    upsert_rows(log, [row(variant=replace(VARIANT, toolchain="clang"))])
    again = {**PROFILE, "run": run("2026-11-21T11:00:00+00:00"), "inference_us": 80000.0}
    upsert_rows(log, [row(profile=again, power=None)])  # re-measured: replaces its row
    rows = read_rows(log)
    assert [(r["Compiler"], r["Inference ms"]) for r in rows] == [
        ("gcc", "80.0"),
        ("clang", "81.9663"),
    ]
    new_model = replace(CONTEXT, tflite_sha256="cd" * 32)
    changed = {**PROFILE, "run": run("2026-11-21T12:00:00+00:00", sha="cd" * 32)}
    upsert_rows(log, [row(profile=changed, context=new_model)])  # a changed model: a new row
    assert len(read_rows(log)) == 3
    assert not list(tmp_path.joinpath("reports").glob("*.tmp*"))


def test_parallel_updates_lose_no_row(tmp_path) -> None:
    log = tmp_path / "results.csv"
    variants = [replace(VARIANT, cpu_mode=f"M{i}") for i in range(16)]
    threads = [threading.Thread(target=upsert_rows, args=(log, [row(variant=v)])) for v in variants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["CPU Mode"] for r in read_rows(log)) == sorted(v.cpu_mode for v in variants)


def test_infeasible_rows_say_why(tmp_path) -> None:
    bad = infeasible_row(replace(VARIANT, model_location="TCM"), "infeasible", "too big for TCM")
    path = tmp_path / "results.csv"
    write_rows(path, [{"Status": "ok", "Reason": None, **row()}, bad], SWEEP_COLUMNS)
    rows = read_rows(path)
    assert rows[1]["Status"] == "infeasible" and rows[1]["Reason"] == "too big for TCM"
    assert rows[1]["HP ms"] is None and rows[0]["Reason"] is None
    assert path.read_text().splitlines()[0].startswith("Status,Reason,Model,Platform")
