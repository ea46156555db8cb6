"""The compilers that build firmware, and every flag they get (the one place flags live).

All three compile C; every image is linked by the arm-none-eabi-gcc driver against newlib-nano,
so objects from any compiler share one C library and one ABI (clang and armclang get
-fshort-enums, as newlib is built with it, and newlib's headers).
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass

from autodeploy import children
from autodeploy.errors import AutodeployError

#: The driver every toolchain links with, and the archiver for the runtime library.
LINK_DRIVER = "arm-none-eabi-gcc"
ARCHIVER = "arm-none-eabi-ar"
#: Writes the example's flash image (Intel HEX: what a flash tool takes).
OBJCOPY = "arm-none-eabi-objcopy"

#: Optimisation for all firmware C. -O2 rather than -Os: with gcc, KWS runs in 37 % fewer
#: instructions (M55: 655,686 vs 1,037,335 counter ticks under -icount) for 0.3 % more image
#: (41,096 vs 40,968 bytes with the model); clang differs by 3 % in time either way.
OPTIMIZATION = "-O2"

#: Flags for all firmware C, any compiler. -ffp-contract=off keeps a*b+c as two roundings:
#: the kernels must match TFLite's float steps bit for bit (clang would fuse by default).
COMMON_CFLAGS = (
    "-std=c99",
    OPTIMIZATION,
    "-g",
    "-ffunction-sections",
    "-fdata-sections",
    "-ffp-contract=off",
    "-Wall",
    "-Wextra",
    "-Werror",
)

#: newlib's hand-written memcpy.o lacks a .note.GNU-stack section, which binutils 2.40 warns
#: about; an executable stack means nothing on a Cortex-M.
LINK_FLAGS = (
    "--specs=nano.specs",
    "-nostartfiles",
    "-Wl,--gc-sections",
    "-Wl,--no-warn-execstack",
)
LIBS = ("m",)


class ToolchainUnavailableError(AutodeployError):
    """A toolchain a variant asks for is not installed on this machine."""


@dataclass(frozen=True)
class Toolchain:
    name: str
    compiler: str  # executable looked up on PATH
    title: str  # what a person calls it
    target_flags: tuple[str, ...]  # before the platform's -mcpu/-mfloat-abi flags
    uses_newlib_headers: bool  # needs -isystem <newlib include> (gcc finds them itself)

    def path(self, search_path: str | None = None) -> str | None:
        """Absolute path of the compiler, or None when it is not installed."""
        return shutil.which(self.compiler, path=search_path or os.environ.get("PATH"))

    def available(self, search_path: str | None = None) -> bool:
        return self.path(search_path) is not None

    def require(self, search_path: str | None = None) -> str:
        """The compiler's path; ToolchainUnavailableError saying what to do when it is missing."""
        path = self.path(search_path)
        if path is None:
            others = " or ".join(t for t in TOOLCHAINS if t != self.name and _installed(t))
            raise ToolchainUnavailableError(
                f"{self.compiler} ({self.title}) is not installed (not found on PATH); "
                f"install it, or use toolchain {others or 'gcc'} in models.yaml"
            )
        return path

    def cflags(self, platform) -> list[str]:
        """Compiler flags for `platform` (a config Platform), without includes and defines."""
        flags = [*self.target_flags, *platform.arch_flags, *COMMON_CFLAGS]
        if self.uses_newlib_headers:
            flags += [f"-isystem{d}" for d in newlib_include_dirs()]
        return flags

    def version(self, search_path: str | None = None) -> str:
        """The compiler's first `--version` line (for reports), e.g. 'Debian clang version 14'."""
        return _version(self.require(search_path))


@functools.cache
def _version(path: str) -> str:
    result = children.run([path, "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def _installed(name: str) -> bool:
    return TOOLCHAINS[name].available()


@functools.cache
def newlib_include_dirs() -> tuple[str, ...]:
    """The C library's header folders: arm-none-eabi-gcc's search list minus gcc's own."""
    driver = shutil.which(LINK_DRIVER)
    if driver is None:
        raise ToolchainUnavailableError(
            f"{LINK_DRIVER} is not installed; every toolchain links with it and newlib-nano "
            "(Debian: apt install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
        )
    result = children.run([driver, "-xc", "-E", "-v", os.devnull], capture_output=True, text=True)
    lines = result.stderr.splitlines()
    start = lines.index("#include <...> search starts here:") + 1
    end = lines.index("End of search list.")
    dirs = [os.path.normpath(line.strip()) for line in lines[start:end]]
    return tuple(d for d in dirs if f"{os.sep}gcc{os.sep}" not in d)


TOOLCHAINS: dict[str, Toolchain] = {
    "gcc": Toolchain("gcc", "arm-none-eabi-gcc", "GNU Arm GCC", (), False),
    "clang": Toolchain(
        "clang", "clang", "LLVM clang", ("--target=arm-none-eabi", "-fshort-enums"), True
    ),
    "armclang": Toolchain(
        "armclang",
        "armclang",
        "Arm Compiler 6",
        ("--target=arm-arm-none-eabi", "-fshort-enums", "-nostdlibinc"),
        True,
    ),
}


def toolchain(name: str) -> Toolchain:
    return TOOLCHAINS[name]


def link_flags(platform) -> list[str]:
    """Link driver flags for `platform` (selects the newlib multilib matching its FPU ABI)."""
    return [*platform.arch_flags, *LINK_FLAGS]
