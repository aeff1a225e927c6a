"""Checks for the data area."""

from __future__ import annotations
