"""``python -m wasp`` runs the CLI."""

from wasp.cli import entry

entry()
