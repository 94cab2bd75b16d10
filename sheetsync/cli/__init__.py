"""The ``sheetsync`` command line.

``group`` holds the root group and its error edge, ``options`` the options
every sheet command shares; importing the command modules adds their commands.
"""

from sheetsync.cli import commands, doctor, google, live, reports  # noqa: F401 (adds commands)
from sheetsync.cli.group import cli, main

__all__ = ["cli", "main"]
