"""Column names of result rows.

The first group is the reference tool's result log (reference.md), in its order; the second is
ours. Per-memory ROM/RAM columns ("ROM <memory> KB", "RAM <memory> KB") follow, one pair per
memory the image uses, so they vary with the boards in a file.
"""

REFERENCE_COLUMNS = (
    "Model",
    "Platform",
    "Compiler",
    "Runtime Version",
    "Model Size KB",
    "Arena Size KB",
    "Model Location",
    "Arena Location",
    "Est MACs",
    "HP ms",
    "HP uJ",
    "HP mW",
    "LP ms",
    "LP uJ",
    "LP mW",
    "ROM KB",
    "RAM KB",
    "SDK Version",
    "Date",
    "Run ID",
)
OUR_COLUMNS = (
    "Variant",
    "CPU Mode",
    "Toolchain Version",
    "Inference ms",
    "Timing Source",
    "Instructions",
    "Cycles",
    "Power Source",
    "Validation",
    "Runs",
    "Seed",
    "Model SHA-256",
    "Sizes Of",
    "Dataset",
    "Dataset SHA-256",
    "Top-1 Agreement",
    "Accuracy Host",
    "Accuracy Board",
)
#: On a board with an NPU: the Vela settings and Vela's estimates (empty elsewhere).
NPU_COLUMNS = (
    "Accelerator",
    "Memory Mode",
    "Optimise",
    "NPU ms",
    "NPU Cycles",
    "NPU SRAM KB",
    "NPU Weights KB",
    "NPU CPU Ops",
    "NPU Source",
)
LOG_COLUMNS = REFERENCE_COLUMNS + OUR_COLUMNS + NPU_COLUMNS
SWEEP_COLUMNS = ("Status", "Reason") + LOG_COLUMNS
# A row stands for one variant measured on one set of inputs; a new measurement of the same
# variant and inputs replaces it.
KEY_COLUMNS = ("Model", "Variant", "Model SHA-256", "Seed", "Dataset SHA-256")


def region_columns(memory: str) -> tuple[str, str]:
    return f"ROM {memory} KB", f"RAM {memory} KB"
