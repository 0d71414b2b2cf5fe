"""The command line: thin click commands that parse, call the library, print.

Owns: argument parsing, exit codes (DESIGN.md), JSON output. May import every other
subpackage, always inside a command so start-up stays fast; nothing imports ``cli``.
"""

from __future__ import annotations

from . import batch, commands, partners, serve  # noqa: F401  (each registers its commands on ``main``)
from .app import main

__all__ = ["main"]
