"""`python -m autodeploy.cli`: the same as the `autodeploy` command."""

from .main import run

run()
