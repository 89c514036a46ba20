"""Domain errors of heroweb.base.

Every error a person can cause or meet carries a message that says what went wrong and how to
fix it. Interfaces (web, CLI) map each class to one answer: NotFound -> 404, Conflict -> 409,
invalid input -> the form again with the message, RedisUnavailable -> 503.
"""

from __future__ import annotations

from typing import Any


class HeroError(Exception):
    """Base of every heroweb domain error; ``message`` is meant for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HeroError):
    pass


class AlreadyExists(HeroError):
    pass


class InvalidInput(HeroError):
    pass


class InvalidName(InvalidInput):
    pass


class TooLarge(InvalidInput):
    pass


class InvalidYAML(InvalidInput):
    """YAML that does not parse; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class Conflict(HeroError):
    """Someone else changed the document first; ``current`` is the fresh state."""

    def __init__(self, message: str, *, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class RedisUnavailable(HeroError):
    pass


class ContextIdOutOfRange(InvalidInput):
    pass


class WrongPassphrase(HeroError):
    pass


class SecretError(HeroError):
    """A secret could not be decrypted: wrong master key or tampered data."""
