"""Incident-response playbooks, one module per kind of target."""
