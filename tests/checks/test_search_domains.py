"""OpenSearch (Opensearch.x) and Elasticsearch (ES.x) domain checks through the real collectors on the emulator."""

from __future__ import annotations

import json

from helpers import live_scan
from wasp.model import Status

OPEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*",
                                                "Resource": "*"}]}
OWN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}, "Action": "es:ESHttp*",
     "Resource": "arn:aws:es:us-east-1:123456789012:domain/*"}]}
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/"
GOOD = {
    "EncryptionAtRestOptions": {"Enabled": True}, "NodeToNodeEncryptionOptions": {"Enabled": True},
    "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
    "AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": False,
                                "MasterUserOptions": {"MasterUserARN": "arn:aws:iam::123456789012:role/admin"}},
    "LogPublishingOptions": {"ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": LOGS + "errors", "Enabled": True},
                             "AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": LOGS + "audit", "Enabled": True}},
    "AccessPolicies": json.dumps(OWN),
}
BAD = {"DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
       "AccessPolicies": json.dumps(OPEN)}
SHARED = ["domain_encrypted_at_rest", "domain_in_vpc", "domain_node_to_node_encryption", "domain_error_logs",
          "domain_audit_logs", "domain_data_nodes", "domain_tls_policy"]


def _vpc(aws) -> dict[str, list[str]]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2, 3)]
    return {"SubnetIds": subnets}


def test_opensearch_domain_checks_pass_and_fail_on_live_domains(aws):
    """A hardened OpenSearch domain passes Opensearch.1-8 and the access-policy check; a public, default one fails
    them, naming the value; the software-update check is UNKNOWN since the emulator does not report updates."""
    client = aws.client("opensearch")
    client.create_domain(DomainName="hardened", EngineVersion="OpenSearch_2.11", VPCOptions=_vpc(aws),
                         ClusterConfig={"InstanceCount": 3, "ZoneAwarenessEnabled": True}, **GOOD)
    client.create_domain(DomainName="default", EngineVersion="OpenSearch_2.11", **BAD)
    checks = [f"opensearch_{c}" for c in SHARED] + ["opensearch_domain_fine_grained_access",
                                                    "iam_opensearch_domain_not_externally_accessible",
                                                    "opensearch_domain_software_updated"]
    result = live_scan(aws, checks=checks)
    for check in checks[:-1]:
        assert result.status_of("hardened", check) is Status.PASS, check
        assert result.status_of("default", check) is Status.FAIL, check
    assert result.status_of("hardened", "opensearch_domain_software_updated") is Status.UNKNOWN
    reasons = {f.check_id: f.reason for f in result.findings if f.resource.id == "default"}
    assert "Policy-Min-TLS-1-2-2019-07" in reasons["opensearch_domain_tls_policy"]
    assert "public" in reasons["iam_opensearch_domain_not_externally_accessible"]
    assert "public endpoint" in reasons["opensearch_domain_in_vpc"]
    assert not [f for f in result.findings if f.resource.type == "AWS::Elasticsearch::Domain"]


def test_elasticsearch_domain_checks_pass_and_fail_on_live_domains(aws):
    """A hardened Elasticsearch-engine domain passes ES.1-8 and the access-policy check; a default one fails them;
    an OpenSearch-engine domain gets no ES finding."""
    client = aws.client("es")
    client.create_elasticsearch_domain(
        DomainName="hardened", ElasticsearchVersion="7.10", VPCOptions=_vpc(aws),
        ElasticsearchClusterConfig={"InstanceCount": 3, "ZoneAwarenessEnabled": True, "DedicatedMasterEnabled": True,
                                    "DedicatedMasterCount": 3}, **GOOD)
    client.create_elasticsearch_domain(DomainName="default", ElasticsearchVersion="7.10",
                                       ElasticsearchClusterConfig={"InstanceCount": 1}, **BAD)
    aws.client("opensearch").create_domain(DomainName="modern")
    checks = [f"es_{c}" for c in SHARED] + ["es_domain_dedicated_master_nodes",
                                            "iam_es_domain_not_externally_accessible"]
    result = live_scan(aws, checks=checks)
    for check in checks:
        assert result.status_of("hardened", check) is Status.PASS, check
        assert result.status_of("default", check) is Status.FAIL, check
    assert result.status_of("modern") is None
    [masters] = [f for f in result.findings if f.resource.id == "default" and
                 f.check_id == "es_domain_dedicated_master_nodes"]
    assert "DedicatedMasterEnabled" in masters.reason
