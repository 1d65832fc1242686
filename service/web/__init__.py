"""The HTTP service: the Starlette app, its typed state, SPARQL, Graph Store, named queries, health and metrics.

Everything a request needs is opened once by the lifespan (:class:`State`);
researchers' SPARQL runs in killable worker processes (:mod:`service.web.pool`).
"""

from service.web.app import app_from_env, create_app, routes
from service.web.logs import configure
from service.web.state import State, make_lifespan, state_of

__all__ = ["State", "app_from_env", "configure", "create_app", "make_lifespan", "routes", "state_of"]
