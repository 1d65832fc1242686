"""The ``supplygraph`` command line: serve, load, query, validate and the analytics commands.

The commands, their output rendering and load progress; everything they do is
done by the layers below.
"""

from service.cli.main import cli, main

__all__ = ["cli", "main"]
