"""Read queries of the dashboard's pages, one module per page family, over the store opened read-only."""
