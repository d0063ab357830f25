"""The `sanctionscope` command line: one Typer app, its commands grouped by what they work on."""

from sanctionscope.cli import gaps, lists, matching, monitoring, serving, texts, tracking  # noqa: F401  (registers the commands)
from sanctionscope.cli.common import app

__all__ = ["app"]
