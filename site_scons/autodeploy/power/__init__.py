"""Power runs: the power firmware's console protocol, the modelled estimate on the emulator,
Joulescope measurement on a board, and the power.json/power.md reports."""
