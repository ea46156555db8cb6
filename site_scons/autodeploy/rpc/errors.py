"""Errors of the board link; each message says what happened and what to try."""

from autodeploy.errors import AutodeployError


class BoardError(AutodeployError):
    """Base of the board link's errors."""


class BoardTimeoutError(BoardError):
    """The board could not be reached, or nothing came back to a call after every retry."""


class BoardLinkLost(BoardTimeoutError):
    """The link itself failed during a call (port closed, emulator gone): no retry can help."""


class BoardProtocolError(BoardError):
    """Replies kept arriving corrupted or cut short, or could not be decoded (host and firmware
    disagree)."""


class BoardCallError(BoardError):
    """The board answered with an error status (bad index, range, call order, ...)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the IDL's Status the board sent (None: refused by the host)
