"""Placement of model data and arena on the real platform files, following the reference rules."""

import dataclasses
from pathlib import Path

import pytest

from autodeploy.config import load_config
from autodeploy.errors import PlacementError
from autodeploy.memory.placement import APP_STATIC_RAM_BYTES, place

PROJECT = Path(__file__).resolve().parent.parent
KB = 1024


@pytest.fixture(scope="module")
def platforms():
    return load_config(PROJECT).platforms


def test_usable_sizes_follow_reference_reserves(platforms):
    m55 = platforms["apollo510_evb"].memories
    assert m55["TCM"].usable_for("arena") == (512 - 150) * KB
    assert m55["SRAM"].usable_for("arena") == int(3072 * 0.8) * KB
    assert m55["MRAM"].usable_for("model") == int(4096 * 0.8) * KB
    assert m55["MRAM"].usable_for("arena") == 0  # non-volatile: weights only
    m4 = platforms["apollo4p_evb"].memories
    assert m4["SRAM"].usable_for("arena") == (int(1024 * 0.8) - 85) * KB


def test_small_model_goes_to_tcm(platforms):
    p = place(platforms["apollo510_evb"], 24 * KB, 16 * KB)
    assert (p.model_location, p.arena_location) == ("TCM", "TCM")


def test_model_moves_to_mram_when_tcm_cannot_hold_both(platforms):
    p = place(platforms["apollo510_evb"], 200 * KB, 300 * KB)
    assert (p.model_location, p.arena_location) == ("MRAM", "TCM")


def test_auto_arena_moves_when_the_explicit_model_location_cannot_hold_both(platforms):
    board = platforms["apollo510_evb"]
    # mnv3sm-sized: weights pinned to SRAM leave no room there for the arena -> PSRAM
    p = place(board, 2_200_000, 401 * KB, model_location="SRAM")
    assert (p.model_location, p.arena_location) == ("SRAM", "PSRAM")
    # ...but an explicit arena location is respected and reported
    with pytest.raises(PlacementError, match="together need"):
        place(board, 2_200_000, 401 * KB, "SRAM", "SRAM")


def test_large_arena_goes_to_sram_then_psram(platforms):
    board = platforms["apollo510_evb"]
    assert place(board, 2_333_232, 535 * KB).arena_location == "SRAM"
    assert place(board, 2_333_232, 535 * KB).model_location == "MRAM"
    assert place(board, 10 * KB, 4000 * KB).arena_location == "PSRAM"


def test_model_larger_than_mram_goes_to_psram(platforms):
    assert place(platforms["apollo510_evb"], 4_020_936, 1_505_280).model_location == "PSRAM"


def test_explicit_location_that_does_not_fit_names_memory_and_sizes(platforms):
    with pytest.raises(PlacementError) as err:
        place(platforms["apollo510_evb"], 10 * KB, 400 * KB, arena_location="TCM", what="kws")
    text = str(err.value)
    assert "kws" in text and "TCM" in text
    assert f"{400 * KB:,}" in text and f"{362 * KB:,}" in text  # needed and usable


def test_model_and_arena_forced_into_one_memory_that_is_too_small(platforms):
    with pytest.raises(PlacementError, match="together need"):
        place(platforms["apollo510_evb"], 200 * KB, 200 * KB, "TCM", "TCM")


def test_arena_in_mram_is_refused_with_alternatives(platforms):
    with pytest.raises(PlacementError, match="cannot put the arena in MRAM; memories that can"):
        place(platforms["apollo510_evb"], 10 * KB, 10 * KB, arena_location="MRAM")


def test_nothing_fits_on_the_m4_board(platforms):
    with pytest.raises(PlacementError, match="more than any memory of apollo4p_evb"):
        place(platforms["apollo4p_evb"], 4_020_936, 10 * KB)


def test_max_arena_size_is_enforced(platforms):
    with pytest.raises(PlacementError, match="max_arena_size"):
        place(platforms["apollo510_evb"], 10 * KB, 64 * KB, max_arena_size=32 * KB)


def test_auto_arena_counts_the_input_staging_buffer(platforms):
    board = platforms["apollo510_evb"]
    sram = board.memories["SRAM"].usable_for("arena")  # 2,515,968
    arena, staging = 2_450_000, 150_528  # a MobileNetV2 with a 224x224x3 int8 input
    assert arena <= sram < arena + staging
    assert place(board, 4_000_000, arena).arena_location == "SRAM"
    p = place(board, 4_000_000, arena, staging_bytes=staging)
    assert p.arena_location == "PSRAM" and p.usage["PSRAM"]["arena"] == arena + staging
    with pytest.raises(PlacementError) as err:
        place(board, 4_000_000, arena, "auto", "SRAM", staging_bytes=staging, what="mnv2")
    text = str(err.value)
    assert "mnv2: the arena and input staging need 2,600,528 bytes" in text
    assert f"{sram:,} usable" in text


def test_the_stack_memory_keeps_room_for_the_stack_and_the_apps_own_ram(platforms):
    board = platforms["apollo510_evb"]
    assert board.firmware.stack_memory == "TCM"
    tcm = board.memories["TCM"]
    unreserved = dataclasses.replace(tcm, reserve_kb=0, usable_bytes=tcm.size_bytes)
    bare = dataclasses.replace(board, memories={**board.memories, "TCM": unreserved})
    room = tcm.size_bytes - board.firmware.stack_bytes - APP_STATIC_RAM_BYTES
    assert place(bare, 1000, room).arena_location == "TCM"
    assert place(bare, 1000, room + 16).arena_location == "SRAM"


def test_an_arena_no_memory_can_hold_fails_in_placement(platforms):
    arena = 100_000 * 100_000 * 3  # one 1x100000x100000x3 int8 tensor
    with pytest.raises(PlacementError, match="more than any memory of apollo510_evb"):
        place(platforms["apollo510_evb"], 10 * KB, arena)


def test_an_explicit_location_full_of_stack_says_so(platforms):
    board = platforms["apollo510_evb"]
    tcm = board.memories["TCM"]
    unreserved = dataclasses.replace(tcm, reserve_kb=0, usable_bytes=tcm.size_bytes)
    bare = dataclasses.replace(board, memories={**board.memories, "TCM": unreserved})
    with pytest.raises(PlacementError, match=r"besides the firmware's stack, \.data and \.bss"):
        place(bare, 10 * KB, 500 * KB, arena_location="TCM")


def test_how_the_model_reaches_its_memory_at_power_up(platforms):
    board = platforms["apollo510_evb"]
    copied = place(board, 24 * KB, 16 * KB)  # TCM: copied from MRAM by the start-up
    assert (copied.model_image, copied.boot_memory) == ("copied", "MRAM")
    assert copied.usage["MRAM"]["load_image"] == 24 * KB and copied.usage["TCM"]["model"] == 24 * KB
    resident = place(board, 200 * KB, 300 * KB)  # MRAM: flashed where it runs
    assert resident.model_image == "resident"
    assert resident.usage["MRAM"] == {
        "usable": 3276 * KB, "model": 200 * KB, "arena": 0, "load_image": 0
    }  # fmt: skip
    uploaded = place(board, 4_020_936, 1_505_280)  # PSRAM: the host uploads it
    assert uploaded.model_image == "uploaded"
    assert all(use["load_image"] == 0 for use in uploaded.usage.values())


def _small_mram(board, usable_kb: int):
    """`board` with an MRAM (the boot memory) of `usable_kb` usable KB."""
    mram = dataclasses.replace(board.memories["MRAM"], usable_bytes=usable_kb * KB)
    return dataclasses.replace(board, memories={**board.memories, "MRAM": mram})


def test_a_model_copied_to_ram_needs_room_for_its_load_image_in_the_boot_memory(platforms):
    board = _small_mram(platforms["apollo510_evb"], 100)
    with pytest.raises(PlacementError) as err:
        place(board, 200 * KB, 16 * KB, model_location="TCM", what="kws")
    assert str(err.value).startswith(
        f"kws: the model in TCM needs a load image of {200 * KB:,} bytes in MRAM, the boot memory "
        f"the start-up copies it from, but MRAM on apollo510_evb has {100 * KB:,} usable bytes "
        f"({100 * KB:,} too many)."
    )
    # auto: TCM, MRAM and SRAM all need that room in MRAM, so the model goes to PSRAM
    assert place(board, 200 * KB, 16 * KB).model_location == "PSRAM"
    assert place(board, 90 * KB, 16 * KB).model_location == "TCM"
