"""subgraphs."""
