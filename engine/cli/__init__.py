"""Command line: ``python -m engine score|evaluate|validate|findings`` (argument parsing and rendering only)."""

from engine.cli.commands import main

__all__ = ["main"]
