"""What every subgraph shares: settings, the systems of record, the app factory, shared value types."""
