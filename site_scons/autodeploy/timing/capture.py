"""Runs a step's emulator with our QEMU plugin when the cycle estimate applies: the platform has
a timing model, the board is the emulator, and the estimate is not switched off.

    with PluginCapture(platform, elf, device, enabled, hook="measure", boundaries=2) as capture:
        run_on_board(capture.platform, ...)  # QEMU writes the counts when it ends
        counts = capture.counts()            # None when the plugin did not run
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..board import uses_emulator
from ..board.qemu_plugin import LAYER_HOOK, read_counts, with_plugin


class PluginCapture:
    def __init__(
        self,
        platform,
        elf,
        device: str | None,
        enabled: bool,
        hook: str = LAYER_HOOK,
        boundaries: int = 1,
    ):
        self.model = platform.timing
        self.active = enabled and uses_emulator(platform, device) and self.model is not None
        self.platform = platform
        self._elf = elf
        self._hook = hook
        self._boundaries = boundaries
        self._folder = None

    def __enter__(self) -> PluginCapture:
        if self.active:
            self._folder = tempfile.TemporaryDirectory(prefix="autodeploy-plugin-")
            self.platform = with_plugin(
                self.platform,
                self._elf,
                self._out,
                data_cache=self.model.data_cache,
                hook=self._hook,
                boundaries=self._boundaries,
            )
        return self

    def __exit__(self, *exc) -> None:
        if self._folder is not None:
            self._folder.cleanup()

    @property
    def _out(self) -> Path:
        return Path(self._folder.name) / "counts.json"

    def counts(self):
        """The plugin's PluginCounts once QEMU has ended, or None when it did not run."""
        return read_counts(self._out) if self.active else None
