"""The GraphQL API: thin types, plain resolvers, per-request DataLoaders, the hardened schema.

Resolvers read one snapshot per request; multi-hop questions go to the
dependency index, and the store only hydrates the page being returned.
"""

from service.gql.app import SupplyGraphQL, graphql_view
from service.gql.context import Context, Info, InputError
from service.gql.schema import make_schema

__all__ = ["Context", "Info", "InputError", "SupplyGraphQL", "graphql_view", "make_schema"]
