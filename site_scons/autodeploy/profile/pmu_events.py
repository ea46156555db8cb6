"""The event counters each core offers per layer, by the names a platform or model asks for them.

Cortex-M55 (Armv8.1-M): the PMU. Event numbers are Arm's: the Armv8.1-M architectural events
(Armv8-M Architecture Reference Manual, Performance Monitors Extension, "PMU events"; listed with
the same numbers in Arm's CMSIS-Core documentation, "PMU Events for Armv8.1-M") and the
Cortex-M55's own (Cortex-M55 Technical Reference Manual, "PMU events"; CMSIS-Core "PMU Events for
Cortex-M55"). CHAIN (0x001E) is left out: the firmware uses it to chain the M55's eight 16-bit
counters in pairs into four 32-bit ones, so one profiled invoke counts four events.
MVE_ST_MULTI_RETIRED is 0x0264 (the LD/ST pairs are 4 apart, SPEC = RETIRED + 1); some CMSIS
releases print 0x0261, which is MVE_LD_MULTI_SPEC.

Cortex-M4, M7 and M33 (Armv7-M, Armv8-M Mainline): the DWT's six fixed counters (Armv7-M
Architecture Reference Manual, "DWT programmers' model"), all counted at once; CYCCNT has 32
bits, the other five 8 bits, so their per-layer values are modulo 256.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_ARMV81M_EVENTS = {
    "ARM_PMU_SW_INCR": 0x0000,
    "ARM_PMU_L1I_CACHE_REFILL": 0x0001,
    "ARM_PMU_L1D_CACHE_REFILL": 0x0003,
    "ARM_PMU_L1D_CACHE": 0x0004,
    "ARM_PMU_LD_RETIRED": 0x0006,
    "ARM_PMU_ST_RETIRED": 0x0007,
    "ARM_PMU_INST_RETIRED": 0x0008,
    "ARM_PMU_EXC_TAKEN": 0x0009,
    "ARM_PMU_EXC_RETURN": 0x000A,
    "ARM_PMU_PC_WRITE_RETIRED": 0x000C,
    "ARM_PMU_BR_IMMED_RETIRED": 0x000D,
    "ARM_PMU_BR_RETURN_RETIRED": 0x000E,
    "ARM_PMU_UNALIGNED_LDST_RETIRED": 0x000F,
    "ARM_PMU_BR_MIS_PRED": 0x0010,
    "ARM_PMU_CPU_CYCLES": 0x0011,
    "ARM_PMU_BR_PRED": 0x0012,
    "ARM_PMU_MEM_ACCESS": 0x0013,
    "ARM_PMU_L1I_CACHE": 0x0014,
    "ARM_PMU_L1D_CACHE_WB": 0x0015,
    "ARM_PMU_L2D_CACHE": 0x0016,
    "ARM_PMU_L2D_CACHE_REFILL": 0x0017,
    "ARM_PMU_L2D_CACHE_WB": 0x0018,
    "ARM_PMU_BUS_ACCESS": 0x0019,
    "ARM_PMU_MEMORY_ERROR": 0x001A,
    "ARM_PMU_INST_SPEC": 0x001B,
    "ARM_PMU_BUS_CYCLES": 0x001D,
    "ARM_PMU_L1D_CACHE_ALLOCATE": 0x001F,
    "ARM_PMU_L2D_CACHE_ALLOCATE": 0x0020,
    "ARM_PMU_BR_RETIRED": 0x0021,
    "ARM_PMU_BR_MIS_PRED_RETIRED": 0x0022,
    "ARM_PMU_STALL_FRONTEND": 0x0023,
    "ARM_PMU_STALL_BACKEND": 0x0024,
    "ARM_PMU_L2I_CACHE": 0x0027,
    "ARM_PMU_L2I_CACHE_REFILL": 0x0028,
    "ARM_PMU_L3D_CACHE_ALLOCATE": 0x0029,
    "ARM_PMU_L3D_CACHE_REFILL": 0x002A,
    "ARM_PMU_L3D_CACHE": 0x002B,
    "ARM_PMU_L3D_CACHE_WB": 0x002C,
    "ARM_PMU_LL_CACHE_RD": 0x0036,
    "ARM_PMU_LL_CACHE_MISS_RD": 0x0037,
    "ARM_PMU_L1D_CACHE_MISS_RD": 0x0039,
    "ARM_PMU_OP_COMPLETE": 0x003A,
    "ARM_PMU_OP_SPEC": 0x003B,
    "ARM_PMU_STALL": 0x003C,
    "ARM_PMU_STALL_OP_BACKEND": 0x003D,
    "ARM_PMU_STALL_OP_FRONTEND": 0x003E,
    "ARM_PMU_STALL_OP": 0x003F,
    "ARM_PMU_L1D_CACHE_RD": 0x0040,
    "ARM_PMU_LE_RETIRED": 0x0100,
    "ARM_PMU_LE_SPEC": 0x0101,
    "ARM_PMU_BF_RETIRED": 0x0104,
    "ARM_PMU_BF_SPEC": 0x0105,
    "ARM_PMU_LE_CANCEL": 0x0108,
    "ARM_PMU_BF_CANCEL": 0x0109,
    "ARM_PMU_SE_CALL_S": 0x0114,
    "ARM_PMU_SE_CALL_NS": 0x0115,
    "ARM_PMU_DWT_CMPMATCH0": 0x0118,
    "ARM_PMU_DWT_CMPMATCH1": 0x0119,
    "ARM_PMU_DWT_CMPMATCH2": 0x011A,
    "ARM_PMU_DWT_CMPMATCH3": 0x011B,
    "ARM_PMU_MVE_INST_RETIRED": 0x0200,
    "ARM_PMU_MVE_INST_SPEC": 0x0201,
    "ARM_PMU_MVE_FP_RETIRED": 0x0204,
    "ARM_PMU_MVE_FP_SPEC": 0x0205,
    "ARM_PMU_MVE_FP_HP_RETIRED": 0x0208,
    "ARM_PMU_MVE_FP_HP_SPEC": 0x0209,
    "ARM_PMU_MVE_FP_SP_RETIRED": 0x020C,
    "ARM_PMU_MVE_FP_SP_SPEC": 0x020D,
    "ARM_PMU_MVE_FP_MAC_RETIRED": 0x0214,
    "ARM_PMU_MVE_FP_MAC_SPEC": 0x0215,
    "ARM_PMU_MVE_INT_RETIRED": 0x0224,
    "ARM_PMU_MVE_INT_SPEC": 0x0225,
    "ARM_PMU_MVE_INT_MAC_RETIRED": 0x0228,
    "ARM_PMU_MVE_INT_MAC_SPEC": 0x0229,
    "ARM_PMU_MVE_LDST_RETIRED": 0x0238,
    "ARM_PMU_MVE_LDST_SPEC": 0x0239,
    "ARM_PMU_MVE_LD_RETIRED": 0x023C,
    "ARM_PMU_MVE_LD_SPEC": 0x023D,
    "ARM_PMU_MVE_ST_RETIRED": 0x0240,
    "ARM_PMU_MVE_ST_SPEC": 0x0241,
    "ARM_PMU_MVE_LDST_CONTIG_RETIRED": 0x0244,
    "ARM_PMU_MVE_LDST_CONTIG_SPEC": 0x0245,
    "ARM_PMU_MVE_LD_CONTIG_RETIRED": 0x0248,
    "ARM_PMU_MVE_LD_CONTIG_SPEC": 0x0249,
    "ARM_PMU_MVE_ST_CONTIG_RETIRED": 0x024C,
    "ARM_PMU_MVE_ST_CONTIG_SPEC": 0x024D,
    "ARM_PMU_MVE_LDST_NONCONTIG_RETIRED": 0x0250,
    "ARM_PMU_MVE_LDST_NONCONTIG_SPEC": 0x0251,
    "ARM_PMU_MVE_LD_NONCONTIG_RETIRED": 0x0254,
    "ARM_PMU_MVE_LD_NONCONTIG_SPEC": 0x0255,
    "ARM_PMU_MVE_ST_NONCONTIG_RETIRED": 0x0258,
    "ARM_PMU_MVE_ST_NONCONTIG_SPEC": 0x0259,
    "ARM_PMU_MVE_LDST_MULTI_RETIRED": 0x025C,
    "ARM_PMU_MVE_LDST_MULTI_SPEC": 0x025D,
    "ARM_PMU_MVE_LD_MULTI_RETIRED": 0x0260,
    "ARM_PMU_MVE_LD_MULTI_SPEC": 0x0261,
    "ARM_PMU_MVE_ST_MULTI_RETIRED": 0x0264,
    "ARM_PMU_MVE_ST_MULTI_SPEC": 0x0265,
    "ARM_PMU_MVE_LDST_UNALIGNED_RETIRED": 0x028C,
    "ARM_PMU_MVE_LDST_UNALIGNED_SPEC": 0x028D,
    "ARM_PMU_MVE_LD_UNALIGNED_RETIRED": 0x0290,
    "ARM_PMU_MVE_LD_UNALIGNED_SPEC": 0x0291,
    "ARM_PMU_MVE_ST_UNALIGNED_RETIRED": 0x0294,
    "ARM_PMU_MVE_ST_UNALIGNED_SPEC": 0x0295,
    "ARM_PMU_MVE_LDST_UNALIGNED_NONCONTIG_RETIRED": 0x0298,
    "ARM_PMU_MVE_LDST_UNALIGNED_NONCONTIG_SPEC": 0x0299,
    "ARM_PMU_MVE_VREDUCE_RETIRED": 0x02A0,
    "ARM_PMU_MVE_VREDUCE_SPEC": 0x02A1,
    "ARM_PMU_MVE_VREDUCE_FP_RETIRED": 0x02A4,
    "ARM_PMU_MVE_VREDUCE_FP_SPEC": 0x02A5,
    "ARM_PMU_MVE_VREDUCE_INT_RETIRED": 0x02A8,
    "ARM_PMU_MVE_VREDUCE_INT_SPEC": 0x02A9,
    "ARM_PMU_MVE_PRED": 0x02B8,
    "ARM_PMU_MVE_STALL": 0x02CC,
    "ARM_PMU_MVE_STALL_RESOURCE": 0x02CD,
    "ARM_PMU_MVE_STALL_RESOURCE_MEM": 0x02CE,
    "ARM_PMU_MVE_STALL_RESOURCE_FP": 0x02CF,
    "ARM_PMU_MVE_STALL_RESOURCE_INT": 0x02D0,
    "ARM_PMU_MVE_STALL_BREAK": 0x02D3,
    "ARM_PMU_MVE_STALL_DEPENDENCY": 0x02D4,
    "ARM_PMU_ITCM_ACCESS": 0x4007,
    "ARM_PMU_DTCM_ACCESS": 0x4008,
    "ARM_PMU_TRCEXTOUT0": 0x4010,
    "ARM_PMU_TRCEXTOUT1": 0x4011,
    "ARM_PMU_TRCEXTOUT2": 0x4012,
    "ARM_PMU_TRCEXTOUT3": 0x4013,
    "ARM_PMU_CTI_TRIGOUT4": 0x4018,
    "ARM_PMU_CTI_TRIGOUT5": 0x4019,
    "ARM_PMU_CTI_TRIGOUT6": 0x401A,
    "ARM_PMU_CTI_TRIGOUT7": 0x401B,
}
_CORTEX_M55_EVENTS = {
    "ARMCM55_PMU_ECC_ERR": 0xC000,
    "ARMCM55_PMU_ECC_ERR_FATAL": 0xC001,
    "ARMCM55_PMU_ECC_ERR_DCACHE": 0xC010,
    "ARMCM55_PMU_ECC_ERR_ICACHE": 0xC011,
    "ARMCM55_PMU_ECC_ERR_FATAL_DCACHE": 0xC012,
    "ARMCM55_PMU_ECC_ERR_FATAL_ICACHE": 0xC013,
    "ARMCM55_PMU_ECC_ERR_DTCM": 0xC020,
    "ARMCM55_PMU_ECC_ERR_ITCM": 0xC021,
    "ARMCM55_PMU_ECC_ERR_FATAL_DTCM": 0xC022,
    "ARMCM55_PMU_ECC_ERR_FATAL_ITCM": 0xC023,
    "ARMCM55_PMU_PF_LINEFILL": 0xC100,
    "ARMCM55_PMU_PF_CANCEL": 0xC101,
    "ARMCM55_PMU_PF_DROP_LINEFILL": 0xC102,
    "ARMCM55_PMU_NWAMODE_ENTER": 0xC200,
    "ARMCM55_PMU_AXI_WRITE_ACCESS": 0xC302,
    "ARMCM55_PMU_AXI_READ_ACCESS": 0xC303,
    "ARMCM55_PMU_DOSTIMEOUT_DOUBLE": 0xC400,
    "ARMCM55_PMU_DOSTIMEOUT_TRIPLE": 0xC401,
}
#: The DWT's counters, by the index the firmware reads them with (adrpc/counters.h).
_DWT_COUNTERS = {
    "DWT_CYCCNT": 0,  # cycles
    "DWT_CPICNT": 1,  # extra cycles of multi-cycle instructions (beyond the first)
    "DWT_EXCCNT": 2,  # cycles of exception entry and return
    "DWT_SLEEPCNT": 3,  # cycles asleep
    "DWT_LSUCNT": 4,  # extra cycles of loads and stores
    "DWT_FOLDCNT": 5,  # folded instructions (taking no cycle)
}


@dataclass(frozen=True)
class CounterUnit:
    """A core's event counters as the host plans with them."""

    kind: str  # the firmware's CounterInfo.kind: "pmu" | "dwt"
    label: str  # how reports name it
    events: Mapping[str, int]  # name -> the number the firmware is given
    counters: int  # hardware counters of the core
    per_event: int  # counters one event takes (2: 16-bit counters chained into 32 bits)
    default: tuple[str, ...]  # what a platform without `pmu:` counts
    bits: Mapping[str, int]  # events whose counter is narrower than 32 bits: its width

    @property
    def at_once(self) -> int:
        """Events one invoke counts."""
        return self.counters // self.per_event


CORTEX_M55_PMU = CounterUnit(
    kind="pmu",
    label="Armv8.1-M PMU",
    events={**_ARMV81M_EVENTS, **_CORTEX_M55_EVENTS},
    counters=8,
    per_event=2,
    # the reference tool's (Ambiq autodeploy) defaults on Cortex-M55 boards
    default=(
        "ARM_PMU_MVE_INST_RETIRED",
        "ARM_PMU_MVE_INT_MAC_RETIRED",
        "ARM_PMU_INST_RETIRED",
        "ARM_PMU_BUS_CYCLES",
    ),
    bits={},
)
DWT = CounterUnit(
    kind="dwt",
    label="DWT counters",
    events=_DWT_COUNTERS,
    counters=6,
    per_event=1,
    default=tuple(_DWT_COUNTERS),
    bits={name: 8 for name in _DWT_COUNTERS if name != "DWT_CYCCNT"},
)
#: The unit of each core the config knows (autodeploy.config.schema.CORES).
UNITS: dict[str, CounterUnit] = {
    "cortex-m55": CORTEX_M55_PMU,
    "cortex-m4": DWT,
    "cortex-m7": DWT,
    "cortex-m33": DWT,
}


def event_problem(
    events: tuple[str, ...], unit: CounterUnit, core: str, full_capture: bool
) -> tuple[int | None, str] | None:
    """(index of the offending event or None, what is wrong) for a list of event names, or None
    when the core can count them (all at once unless `full_capture` repeats the invoke)."""
    seen: set[str] = set()
    for i, name in enumerate(events):
        if name not in unit.events:
            return i, _unknown(name, unit, core)
        if name in seen:
            return i, f"'{name}' is listed twice"
        seen.add(name)
    if not full_capture and len(events) > unit.at_once:
        chained = " (8 16-bit counters chained in pairs)" if unit.per_event == 2 else ""
        return None, (
            f"{len(events)} events, but the {core}'s {unit.label} counts {unit.at_once} at "
            f"once{chained}; list at most {unit.at_once}, or set pmu_full_capture: true to "
            f"repeat the profiled invoke once per group of {unit.at_once}"
        )
    return None


def _unknown(name: str, unit: CounterUnit, core: str) -> str:
    from ..config.schema import suggest  # only on the error path

    close = suggest(name, tuple(unit.events))
    examples = ", ".join(unit.default[:3])
    return (
        f"unknown {unit.label} event '{name}' for {core};"
        + (close if close else f" events are named like {examples}")
        + " (autodeploy/profile/pmu_events.py lists them)"
    )


def event_groups(events: tuple[str, ...], at_once: int) -> list[tuple[str, ...]]:
    """The events in groups of at most `at_once`, in order: one profiled invoke each."""
    if at_once < 1:
        raise ValueError("at_once must be at least 1")
    return [events[k : k + at_once] for k in range(0, len(events), at_once)]
