"""Pieces shared by the ``supplygraph`` command modules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from service.errors import SupplyGraphError

store_option = click.option(
    "--store",
    envvar="SUPPLYGRAPH_STORE",
    default="./var/store",
    help="Store directory, or :memory: [env: SUPPLYGRAPH_STORE]",
)


@contextmanager
def edge() -> Iterator[None]:
    """Turn domain errors into a one-line message and exit code 1, at the edge of the CLI."""
    try:
        yield
    except SupplyGraphError as exc:
        raise click.ClickException(exc.message) from exc
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
