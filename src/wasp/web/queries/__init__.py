"""Read queries of single dashboard pages, kept beside the pages rather than in the shared ``wasp.store``."""
