"""Account Management collector: alternate contacts as dicts, None when unset."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def test_alternate_contacts_set_and_unset(aws):
    """A registered contact is its dict; an unregistered one is None (ResourceNotFoundException), not Unknown."""
    aws.client("account").put_alternate_contact(AlternateContactType="SECURITY", Name="Sec team", Title="Security",
                                                EmailAddress="security@example.com", PhoneNumber="+1-555-0100")
    account = collect(aws, ["us-east-1"], services=["account"]).inventory.of_type("WASP::Account")[0]
    contacts = account.properties["AlternateContacts"]
    assert contacts["SECURITY"]["Name"] == "Sec team"
    assert contacts["BILLING"] is None and contacts["OPERATIONS"] is None
