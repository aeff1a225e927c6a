"""Collectors for lambda_ (filled in by its area)."""

from __future__ import annotations
