"""Route 53 hosted zones (AWS::Route53::HostedZone) with their DNS query logging and tags.

Query logging configurations are listed once for the account and matched to zones, so a zone costs no
call of its own; only private zones are read one by one (GetHostedZone), for the VPCs they serve.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import Scope, Service, tags_of

ROUTE53 = Service("route53", label="route53", actions=[
    "route53:ListHostedZones", "route53:ListQueryLoggingConfigs", "route53:ListTagsForResources",
    "route53:GetHostedZone",
])
TYPE = "AWS::Route53::HostedZone"


def zone_id(raw: str) -> str:
    return raw.rsplit("/", 1)[-1]


@ROUTE53.collects(TYPE, global_=True)
def hosted_zones(client: Any, scope: Scope) -> Iterator[Resource]:
    zones = list(scope.paginate(client, "list_hosted_zones", "HostedZones"))
    if not zones:
        return
    logging = scope.fetch_all(client, "list_query_logging_configs", "QueryLoggingConfigs")
    by_zone = {} if isinstance(logging, Unknown) else {c["HostedZoneId"]: c for c in logging}
    tags = _tags(client, scope, [zone_id(z["Id"]) for z in zones])
    for zone in zones:
        ident = zone_id(zone["Id"])
        private = bool((zone.get("Config") or {}).get("PrivateZone"))
        query_logging: Any = logging if isinstance(logging, Unknown) else (
            {"CloudWatchLogsLogGroupArn": by_zone[ident]["CloudWatchLogsLogGroupArn"]} if ident in by_zone else None)
        vpcs: Any = scope.fetch(client.get_hosted_zone, Id=ident, pick=lambda r: [
            {"VPCId": v.get("VPCId"), "VPCRegion": v.get("VPCRegion")} for v in r.get("VPCs") or []]) if private else []
        comment = (zone.get("Config") or {}).get("Comment")
        observed: dict[str, Any] = {"PrivateZone": private,
                                    "ResourceRecordSetCount": zone.get("ResourceRecordSetCount")}
        if isinstance(tags, Unknown):
            observed["Tags"] = tags  # an unreadable tag set is not an empty one
        yield Resource.of(TYPE, ident, arn=f"arn:{scope.partition}:route53:::hostedzone/{ident}",
                          account=scope.account, region="",
                          tags={} if isinstance(tags, Unknown) else tags.get(ident, {}),
                          properties={"Name": zone.get("Name"),
                                      "HostedZoneConfig": {"Comment": comment} if comment else None,
                                      "QueryLoggingConfig": query_logging, "VPCs": vpcs},
                          observed=observed)


def _tags(client: Any, scope: Scope, ids: list[str]) -> dict[str, dict[str, str]] | Unknown:
    out: dict[str, dict[str, str]] = {}
    for i in range(0, len(ids), 10):  # ListTagsForResources takes at most 10 ids
        got = scope.fetch(client.list_tags_for_resources, ResourceType="hostedzone", ResourceIds=ids[i:i + 10],
                          pick=lambda r: r.get("ResourceTagSets") or [])
        if isinstance(got, Unknown):
            return got
        for item in got:
            out[item.get("ResourceId", "")] = tags_of(item.get("Tags"))
    return out
