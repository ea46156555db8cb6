"""What the generated code is compiled for: the kernel instruction sets a core offers.

A Target is built from the platform YAML and handed to every compile pass (as Vela hands its
architecture to every pass): lowering picks each layer's kernel variant from it and packs
weights for that variant. Targets are named by features, not boards, so boards whose cores
offer the same kernels share generated sources and the runtime library's kernel set.

    mve       Cortex-M55 with Helium: MVE kernels first, then DSP, then portable C
    dsp       Cortex-M4/M7/M33 (and an M55 built without MVE): DSP SIMD, then portable C
    portable  anything else, and the host build of the tests: portable C only
"""

from __future__ import annotations

from dataclasses import dataclass

#: Cores with the DSP extension's SIMD instructions (SMLAD, SXTB16, ...) on by default.
DSP_CORES = ("cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55")

#: Kernel variant names as profiles show them, fastest first.
KERNEL_ISAS = ("mve", "dsp", "c")


@dataclass(frozen=True)
class Target:
    name: str  # "mve" | "dsp" | "portable"
    kernel_isas: tuple[str, ...]  # the variants lowering may choose, in preference order

    @property
    def key(self) -> str:
        """Folder name of this target's generated sources and compile results."""
        return self.name

    def runtime_source_dirs(self) -> tuple[str, ...]:
        """Project-relative folders of the runtime's C for this target: portable C always,
        plus one folder per vector variant (firmware/runtime/src/<isa>/)."""
        dirs = ["firmware/runtime/src"]
        dirs += [f"firmware/runtime/src/{isa}" for isa in self.kernel_isas if isa != "c"]
        return tuple(dirs)


MVE = Target("mve", ("mve", "dsp", "c"))
DSP = Target("dsp", ("dsp", "c"))
PORTABLE = Target("portable", ("c",))
TARGETS = {t.name: t for t in (MVE, DSP, PORTABLE)}


def target_for(platform) -> Target:
    """The target of a platform (config Platform). MVE intrinsics need a hardware float ABI;
    `kernels: portable` in the platform YAML keeps to plain C (to compare, or to debug)."""
    if platform.kernels == "portable":
        return PORTABLE
    if platform.mve != "none" and platform.float_abi != "soft":
        return MVE
    if platform.core in DSP_CORES:
        return DSP
    return PORTABLE
