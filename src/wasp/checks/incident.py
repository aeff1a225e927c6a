"""Checks for the incident area."""

from __future__ import annotations
