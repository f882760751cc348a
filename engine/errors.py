"""The project's own exception types.

Hard problems raise :class:`TriageError` (or a subclass); soft problems are
returned as :class:`engine.knowledge.validation.Issue` data instead.
"""

from __future__ import annotations


class TriageError(ValueError):
    """Base class for every error the engine raises on purpose.

    The message is meant for a person: one line that names what was wrong,
    where, what was expected and what was received.
    """


class PackError(TriageError):
    """A knowledge-pack file is broken (missing column, bad value, unknown ID)."""


class InputError(TriageError):
    """A caller passed bad input: an unknown or malformed finding ID, a bad case file."""


class WeightsError(TriageError):
    """An analyst weights file or table is invalid.

    ``problems`` lists every problem found (one line each); the message joins them.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = problems or (message,)
