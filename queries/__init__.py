"""Named SPARQL queries: one ``.rq`` file each, the public query catalogue."""
