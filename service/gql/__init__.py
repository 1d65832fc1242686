"""The GraphQL API: thin types, plain resolvers, per-request DataLoaders, the hardened schema."""
