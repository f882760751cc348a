r"""The project's own exception types, and the two helpers that keep their messages one short line.

Hard problems raise :class:`TriageError` (or a subclass); soft problems are
returned as :class:`engine.knowledge.validation.Issue` data instead.

>>> shown("x" * 100, 10)
"'xxxxxxxx…"
>>> one_line("two\n  lines")
'two lines'
"""

from __future__ import annotations

from typing import Any

MAX_SHOWN_CHARS = 60


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


def shown(value: Any, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters: error messages stay one short line whatever the input."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a deeply nested list, a huge int
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """Collapse line breaks and runs of blanks, so a message is always a single line."""
    return " ".join(str(text).split())
