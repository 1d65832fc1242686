"""The write path: loaders for RDF files and tabular trade, production and network data."""
