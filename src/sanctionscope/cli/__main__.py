"""`python -m sanctionscope.cli`: the command line without the installed script."""

from sanctionscope.cli import app

app()
