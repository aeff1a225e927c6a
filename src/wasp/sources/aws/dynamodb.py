"""Collectors for dynamodb (filled in by its area)."""

from __future__ import annotations
