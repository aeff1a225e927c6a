"""Checks for the infrastructure area."""

from __future__ import annotations
