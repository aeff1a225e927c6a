"""Read queries of the dashboard pages, one module per page family, each over a read-only store connection."""
