"""Optimus: find what makes a portfolio of projects slow, costly or fragile.

The public door: :func:`scan` walks paths and returns a :class:`ScanResult`;
:func:`load_config` reads settings; the model types are the vocabulary of both.
"""

from optimus.analyze.engine import ScanOptions, scan
from optimus.config import Settings, load_config
from optimus.model import (
    Applicability,
    Category,
    Confidence,
    Diagnostic,
    Edit,
    Finding,
    Fix,
    GitFacts,
    LanguageStats,
    Location,
    Project,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)

__version__ = "0.1.0"

__all__ = [
    "Applicability",
    "Category",
    "Confidence",
    "Diagnostic",
    "Edit",
    "Finding",
    "Fix",
    "GitFacts",
    "LanguageStats",
    "Location",
    "Project",
    "ScanOptions",
    "ScanResult",
    "ScanStats",
    "Settings",
    "Severity",
    "Stack",
    "__version__",
    "load_config",
    "scan",
]
