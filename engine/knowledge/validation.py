"""Soft and hard problems found while checking data, returned as data (not raised)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Issue:
    """One problem: how bad, where (file, row, column) and what.

    ``row`` is the line number in the file as a spreadsheet shows it (the header is line 1).
    """

    level: Level
    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        """``file, row N, column 'c': message`` without the level."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"

    def __str__(self) -> str:
        return f"{self.level}: {self.describe()}"
