"""Account-wide contacts (WASP::Account.AlternateContacts) from the AWS Account Management API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import ACCOUNT, Scope, Service

ACCOUNT_API = Service("account", label="account", actions=["account:GetAlternateContact"])
CONTACT_TYPES = ("SECURITY", "BILLING", "OPERATIONS")


@ACCOUNT_API.collects(ACCOUNT, global_=True, provides=["AlternateContacts"])
def alternate_contacts(client: Any, scope: Scope) -> Iterator[Resource]:
    """Each alternate contact as a dict, None when unset (ResourceNotFoundException), Unknown when unreadable."""
    contacts = {
        kind: scope.fetch(client.get_alternate_contact, AlternateContactType=kind,
                          absent=["ResourceNotFoundException"], pick=lambda r: r.get("AlternateContact"))
        for kind in CONTACT_TYPES
    }
    yield Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"AlternateContacts": contacts})
