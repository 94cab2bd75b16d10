"""The ``sheetsync`` command line."""

from sheetsync.cli.commands import cli, main

__all__ = ["cli", "main"]
