"""Checks for the detection area."""

from __future__ import annotations
