"""The supplygraph service: store, dependency index, GraphQL, SPARQL, HTTP and CLI."""
