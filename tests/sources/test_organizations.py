"""Organizations collector: membership dict, or None for a stand-alone account."""

from __future__ import annotations

from wasp.sources.aws.collect import collect


def _org(aws):
    return collect(aws, ["us-east-1"], services=["organizations"]).inventory.of_type("WASP::Account")[0] \
        .properties["Organization"]


def test_standalone_account_has_no_organization(aws):
    """AWSOrganizationsNotInUseException means not in an organization: None."""
    assert _org(aws) is None


def test_organization_membership_is_recorded(aws):
    """An account that created an organization is recorded as its management account."""
    org_id = aws.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    org = _org(aws)
    assert org["Id"] == org_id and org["FeatureSet"] == "ALL" and org["IsManagementAccount"] is True
