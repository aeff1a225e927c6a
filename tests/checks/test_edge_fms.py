"""Firewall Manager policies in an organization: UNKNOWN where policies cannot be listed (the emulator has no
Firewall Manager, as a member account cannot list them), PASS/FAIL from the listing, no finding outside one."""

from __future__ import annotations

from helpers import live_scan
from wasp.model import Status
from wasp.sources.aws.base import ACCOUNT, Scope
from wasp.sources.aws.fms import policies


def test_unreadable_policies_in_an_organization_are_unknown(aws):
    """In an organization, an endpoint that cannot list Firewall Manager policies gives UNKNOWN naming
    fms:ListPolicies, never FAIL or PASS."""
    aws.client("organizations").create_organization(FeatureSet="ALL")
    result = live_scan(aws, checks=["fms_policies_in_organization"], services=["organizations", "fms"])
    [finding] = result.findings
    assert finding.status is Status.UNKNOWN and "fms:ListPolicies in us-east-1" in finding.reason


def test_standalone_account_is_not_judged(aws):
    """An account outside any organization gets no Firewall Manager finding."""
    result = live_scan(aws, checks=["fms_policies_in_organization"], services=["organizations", "fms"])
    assert result.findings == []


class _Target:
    """A target whose fms client answers ListPolicies from a fixed list per region."""

    def __init__(self, by_region):
        self.by_region = by_region

    def client(self, service, region, **_config):
        pages = self.by_region[region]

        class Client:
            def can_paginate(self, _method):
                return False

            def list_policies(self):
                return {"PolicyList": pages}

        return Client()


def test_policies_of_every_scanned_region_are_gathered():
    """ListPolicies runs in each scanned region and the policies keep their region."""
    target = _Target({"us-east-1": [{"PolicyName": "cdn-waf", "SecurityServiceType": "WAFV2"}], "eu-west-1": []})
    [account] = policies(None, Scope("123456789012", "us-east-1", target, regions=("us-east-1", "eu-west-1")))
    assert account.type == ACCOUNT
    assert account.properties["FirewallManagerPolicies"] == [
        {"PolicyName": "cdn-waf", "PolicyId": None, "Region": "us-east-1", "SecurityServiceType": "WAFV2",
         "RemediationEnabled": None}]
