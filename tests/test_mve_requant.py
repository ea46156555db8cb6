"""The Helium requantization helpers are bit-exact with the scalar reference arithmetic, checked
on the emulated Cortex-M55 with both compilers (tests/firmware/mve_requant/main.c)."""

import pytest
from support.generated_program import (
    REPO,
    board_named,
    build_image,
    run_image,
    runtime_library,
    workdir,
)

SOURCE = REPO / "tests" / "firmware" / "mve_requant" / "main.c"


@pytest.mark.parametrize("board", ["m55-gcc", "m55-clang"])
def test_vector_requantization_equals_the_scalar_one(board):
    b = board_named(board)
    out = workdir() / f"mve_requant_{board}"
    out.mkdir(exist_ok=True)
    board_c = sorted((REPO / "firmware" / "board" / "mps3_an547").glob("*.c"))
    common_c = sorted((REPO / "firmware" / "board" / "common").glob("*.c"))
    image = out / "image.elf"
    build_image(
        b,
        [SOURCE, *board_c, *common_c],
        image,
        runtime_library(board),
        include=[
            REPO / "firmware" / "runtime" / "src" / "mve",
            REPO / "tests" / "firmware" / "common",
        ],
    )
    result = run_image(b, image)
    assert "mve_requant: 0 of 160000 lanes differ" in result.stderr, result.stderr
    assert result.returncode == 0
