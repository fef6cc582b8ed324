"""A project as discovery hands it to analysis: its settings, its files and its folder."""

from __future__ import annotations

from dataclasses import dataclass

from optimus.config import Settings
from optimus.discover.walk import FileEntry
from optimus.model import Project


@dataclass
class Planned:
    """A project found by discovery, with its settings, its files and its folder."""

    project: Project
    settings: Settings
    entries: list[FileEntry]
    abspath: str
    root: str
