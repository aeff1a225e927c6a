"""Collectors for ec2 (filled in by its area)."""

from __future__ import annotations
