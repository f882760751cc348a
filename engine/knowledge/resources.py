"""Where the shipped knowledge pack lives: package data of ``engine``, reached through importlib.resources.

In a source checkout ``engine/data`` is a link to the top-level ``data/`` folder; in an installed wheel it
is a real folder. Either way the path never depends on the working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_data_dir() -> Path:
    """The folder of the curated pack shipped with the package (``findings.csv``, ``cases/``, ...)."""
    # The package is installed as plain files (never zipped), so the resource is a real folder.
    return Path(str(files("engine").joinpath("data")))
