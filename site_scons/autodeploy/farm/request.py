"""What DEVICE=labgrid:... asks of a board farm, and where the farm's coordinator is.

    DEVICE=labgrid:apollo510-3                 the place named apollo510-3
    DEVICE=labgrid:board=apollo510_evb         any free place tagged board=apollo510_evb
    DEVICE=labgrid:board=apollo510_evb,rack=b  ... tagged with both

Both are labgrid reservations (a place name is labgrid's `name` filter), so a busy place is
waited for, never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import AutodeployError

SCHEME = "labgrid:"
DEFAULT_COORDINATOR = "127.0.0.1:20408"  # labgrid-client's own default
TAG_KEY = re.compile(r"[a-z][a-z0-9_]+$")  # the coordinator's rule for filter keys
PLACE_NAME = re.compile(r"[A-Za-z0-9_.-]+$")


class FarmError(AutodeployError):
    """The farm could not give this job a board: not configured, unreachable, or none matches."""


@dataclass(frozen=True)
class FarmRequest:
    filter: dict[str, str]  # labgrid reservation filter: tags, or {"name": place}
    coordinator: str = DEFAULT_COORDINATOR

    @property
    def named(self) -> bool:
        """One place by name: there is no other board to retry on."""
        return set(self.filter) == {"name"}

    @property
    def label(self) -> str:
        """How messages name what is asked for: 'place apollo510-3' or 'board=apollo510_evb'."""
        if self.named:
            return f"place {self.filter['name']}"
        return ",".join(f"{k}={v}" for k, v in self.filter.items())


def is_farm_device(device: str | None) -> bool:
    return bool(device) and device.startswith(SCHEME)


def parse_device(device: str, coordinator: str | None = None) -> FarmRequest:
    """The FarmRequest of DEVICE=labgrid:...; coordinator: LG_COORDINATOR (None: labgrid's
    default)."""
    spec = device.removeprefix(SCHEME).strip()
    usage = (
        "use DEVICE=labgrid:PLACE for one place or DEVICE=labgrid:KEY=VALUE[,KEY=VALUE] for any "
        "free place with those tags"
    )
    if not spec:
        raise FarmError(f"DEVICE={device} names no place and no tags; {usage}")
    if "=" not in spec:
        if not PLACE_NAME.match(spec):
            raise FarmError(f"DEVICE={device}: '{spec}' is not a place name; {usage}")
        return FarmRequest({"name": spec}, coordinator or DEFAULT_COORDINATOR)
    tags = {}
    for pair in spec.split(","):
        key, _, value = (part.strip() for part in pair.partition("="))
        if not TAG_KEY.match(key) or not value:
            raise FarmError(
                f"DEVICE={device}: '{pair}' is not KEY=VALUE with a lower-case key of two or "
                f"more letters, digits or '_' (labgrid's rule for tags); {usage}"
            )
        if key in tags:
            raise FarmError(f"DEVICE={device}: tag '{key}' is given twice")
        tags[key] = value
    return FarmRequest(tags, coordinator or DEFAULT_COORDINATOR)
