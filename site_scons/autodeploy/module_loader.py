"""Import every module of a package once, on first use, so its modules can self-register.

SCons runs actions on several threads: the first use imports under a lock, and the package
counts as loaded only once every module is in, so no thread ever sees a half-filled registry.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading


class PackageModules:
    def __init__(self, package: str):
        self.package = package
        self._lock = threading.Lock()
        self._loaded = False

    def load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            root = importlib.import_module(self.package)
            for info in pkgutil.walk_packages(root.__path__, prefix=f"{self.package}."):
                leaf = info.name.rsplit(".", 1)[1]
                if leaf != "registry" and not leaf.startswith("_"):
                    importlib.import_module(info.name)
            self._loaded = True
