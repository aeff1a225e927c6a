"""Detective controls (SEC04): trails, Config, GuardDuty, Security Hub, flow logs, log retention, and the
15 CIS monitoring filters judged by what their patterns really match (see checks/metric_filters.py).

Trail coverage questions (management events, S3 data events) are answered from the selectors the
trail really has; the default selector of a trail without custom selectors (or a template that sets
none) is every management event, read and write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from wasp.checks.context import Context
from wasp.checks.metric_filters import CIS_MONITORS, MonitorSpec, judge
from wasp.checks.policy_exposure import is_public_statement, statements
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, Unknown, first_unknown, is_unknown

TRAIL = "AWS::CloudTrail::Trail"
BUCKET = "AWS::S3::Bucket"
LIVE = ("live", "snapshot")
DETECT = ["SEC04-BP01"]
CENTRAL = ["SEC04-BP01", "SEC04-BP02"]


# ---------------------------------------------------------------------------------------------------
# trail helpers


def management_coverage(trail: Resource) -> tuple[set[str], set[str]] | Unknown:
    """Which management events a trail records ({'read','write'}) and the event sources it excludes."""
    basic, advanced = trail.prop("EventSelectors"), trail.prop("AdvancedEventSelectors")
    unknown = first_unknown(basic, advanced)
    if unknown is not None:
        return unknown
    kinds: set[str] = set()
    excluded: set[str] = set()
    if advanced:
        for sel in advanced:
            fields = _fields(sel)
            if "Management" not in (fields.get("eventCategory", {}).get("Equals") or []):
                continue
            if set(fields) - {"eventCategory", "readOnly", "eventSource"}:
                continue
            source = fields.get("eventSource", {})
            if set(source) - {"Field", "NotEquals"}:
                continue  # restricted to some sources: not complete management coverage
            excluded |= set(source.get("NotEquals") or [])
            kinds |= _read_only_kinds(fields.get("readOnly"))
        return kinds, excluded
    if basic is None:
        return {"read", "write"}, set()
    for sel in basic:
        if sel.get("IncludeManagementEvents", True) in (False, "false"):
            continue
        kinds |= {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}.get(
            sel.get("ReadWriteType", "All"), set())
        excluded |= set(sel.get("ExcludeManagementEventSources") or [])
    return kinds, excluded


def _fields(selector: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f.get("Field", ""): f for f in selector.get("FieldSelectors") or []}


def _read_only_kinds(field: dict[str, Any] | None) -> set[str]:
    if not field:
        return {"read", "write"}
    if field.get("Equals"):
        return {"read" if str(v).lower() == "true" else "write" for v in field["Equals"]}
    if field.get("NotEquals"):
        return {"write" if str(v).lower() == "true" else "read" for v in field["NotEquals"]}
    return {"read", "write"}


def s3_data_coverage(trail: Resource, bucket: str) -> set[str] | Unknown:
    """Which S3 object-level events ({'read','write'}) of ``bucket`` the trail records."""
    basic, advanced = trail.prop("EventSelectors"), trail.prop("AdvancedEventSelectors")
    unknown = first_unknown(basic, advanced)
    if unknown is not None:
        return unknown
    kinds: set[str] = set()
    if advanced:
        for sel in advanced:
            fields = _fields(sel)
            if "Data" not in (fields.get("eventCategory", {}).get("Equals") or []) or \
                    "AWS::S3::Object" not in (fields.get("resources.type", {}).get("Equals") or []):
                continue
            if set(fields) - {"eventCategory", "resources.type", "resources.ARN", "readOnly"}:
                continue  # narrowed by event name or other conditions: not all object events
            arn_field = fields.get("resources.ARN")
            if arn_field is None or _arn_prefix_covers(arn_field, bucket):
                kinds |= _read_only_kinds(fields.get("readOnly"))
        return kinds
    for sel in basic or []:
        for res in sel.get("DataResources") or []:
            if res.get("Type") == "AWS::S3::Object" and any(_value_covers(v, bucket) for v in res.get("Values") or []):
                kinds |= {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}.get(
                    sel.get("ReadWriteType", "All"), set())
    return kinds


_ALL_S3 = re.compile(r"^arn:[a-z-]+:s3(:::)?$")


def _value_covers(value: str, bucket: str) -> bool:
    return bool(_ALL_S3.match(value)) or value.endswith((f":::{bucket}", f":::{bucket}/"))


def _arn_prefix_covers(field: dict[str, Any], bucket: str) -> bool:
    if set(field) - {"Field", "StartsWith"}:
        return False
    return any(_ALL_S3.match(v.rstrip(":")) or v in (f"arn:aws:s3:::{bucket}/", f"arn:aws:s3:::{bucket}")
               or v == "arn:aws:s3:::" for v in field.get("StartsWith") or [])


def trail_qualifies(trail: Resource) -> tuple[bool, str] | Unknown:
    """Multi-region, logging, management events read and write: the CIS 4.1 / CloudTrail.1 bar."""
    name = trail.prop("TrailName") or trail.id
    logging = trail.prop("IsLogging")
    if is_unknown(logging):
        return logging
    if not trail.prop("IsMultiRegionTrail"):
        return False, f"trail '{name}' is single-region"
    if not logging:
        return False, f"trail '{name}' is not logging"
    cover = management_coverage(trail)
    if isinstance(cover, Unknown):
        return cover
    kinds, _ = cover
    if kinds != {"read", "write"}:
        got = "no management events" if not kinds else f"only {'/'.join(sorted(kinds))} management events"
        return False, f"trail '{name}' records {got}"
    return True, f"trail '{name}' is multi-region, logging, with read and write management events"


def _trail_gap_reason(ctx: Context) -> str | None:
    for gap in ctx.inventory.gaps:
        if TRAIL in gap.types:
            return f"could not read CloudTrail in {gap.region or 'the account'}: {gap.reason}"
    return None


def _unscanned_home_trails(ctx: Context) -> list[str]:
    """Multi-region trails seen as shadows whose home region was not scanned (so not judged)."""
    scanned = set(ctx.regions) | {r.region for r in ctx.of_type("WASP::Region")}
    out: set[str] = set()
    for region in ctx.of_type("WASP::Region"):
        visible = region.prop("VisibleTrails")
        if isinstance(visible, list):
            out |= {f"{t.get('Name')} (home {t.get('HomeRegion')})" for t in visible
                    if t.get("IsMultiRegionTrail") and t.get("HomeRegion") not in scanned}
    return sorted(out)


def _bucket_named(ctx: Context, name: str) -> Resource | None:
    return next((b for b in ctx.of_type(BUCKET) if b.id == name or b.prop("BucketName") == name), None)


# ---------------------------------------------------------------------------------------------------
# CloudTrail


@check(
    id="cloudtrail_multi_region_logging", title="A multi-region trail is logging read and write management events",
    area=Area.DETECTION, severity=Severity.HIGH, resource="WASP::Account", best_practices=CENTRAL,
    cis=["4.1"], fsbp=["CloudTrail.1"], task="logging", uses=[TRAIL], sources=LIVE,
    remediation=Remediation(
        text="Create a multi-region trail that records all management events (read and write) and start it.",
        cli="aws cloudtrail create-trail --name org-trail --s3-bucket-name LOG_BUCKET --is-multi-region-trail "
            "&& aws cloudtrail start-logging --name org-trail",
        cloudformation="Type: AWS::CloudTrail::Trail\nProperties: {IsLogging: true, IsMultiRegionTrail: true, "
                       "S3BucketName: !Ref LogBucket}",
        terraform='resource "aws_cloudtrail" "main" {\n  is_multi_region_trail = true\n  enable_logging = true\n}',
        url="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-"
            "multiple-regions.html"))
def multi_region_trail(account: Resource, ctx: Context) -> Result:
    """Without a multi-region trail recording every management call, API activity in some region goes unseen
    and an investigation has no record to work from."""
    reasons: list[str] = []
    unknowns: list[str] = []
    for trail in ctx.of_type(TRAIL):
        verdict = trail_qualifies(trail)
        if isinstance(verdict, Unknown):
            unknowns.append(f"trail '{trail.id}': {verdict.reason}")
        elif verdict[0]:
            return Result.passed(verdict[1], {"trail": trail.arn})
        else:
            reasons.append(verdict[1])
    gap = _trail_gap_reason(ctx)
    elsewhere = _unscanned_home_trails(ctx)
    if unknowns or gap or elsewhere:
        parts = unknowns + ([gap] if gap else []) + \
            [f"multi-region trail {t} was not judged: scan its home region" for t in elsewhere]
        return Result.unknown("; ".join(parts))
    if not reasons:
        return Result.failed("no CloudTrail trail exists in the account")
    return Result.failed("no trail qualifies: " + "; ".join(reasons))


PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def bucket_public_reasons(bucket: Resource, ctx: Context) -> list[str] | Unknown:
    """Why a bucket is readable or writable by everyone (empty when it is not)."""
    pab = _effective_block(bucket, ctx)
    reasons: list[str] = []
    if not pab.get("IgnorePublicAcls"):
        grants = bucket.prop("AclGrants")
        if is_unknown(grants):
            return grants
        for g in grants or []:
            uri = (g.get("Grantee") or {}).get("URI", "")
            if uri in PUBLIC_GROUPS:
                reasons.append(f"ACL grants {g.get('Permission')} to {uri.rsplit('/', 1)[-1]}")
    if not pab.get("RestrictPublicBuckets"):
        policy = bucket.prop("PolicyDocument")
        if is_unknown(policy):
            return policy
        for stmt in statements(policy):
            if is_public_statement(stmt):
                actions = stmt.get("Action", [])
                reasons.append(f"policy allows {actions if isinstance(actions, str) else ','.join(actions)} "
                               "to Principal '*' without a limiting condition")
    return reasons


def _effective_block(bucket: Resource, ctx: Context) -> dict[str, bool]:
    out: dict[str, bool] = {}
    sources = [bucket.prop("PublicAccessBlockConfiguration")]
    account = ctx.one("WASP::Account")
    if account is not None:
        sources.append(account.prop("PublicAccessBlockConfiguration"))
    for src in sources:
        if isinstance(src, dict):
            for key in ("IgnorePublicAcls", "RestrictPublicBuckets"):
                out[key] = out.get(key, False) or src.get(key) is True
    return out


@check(
    id="cloudtrail_bucket_not_public", title="The CloudTrail bucket is not public", area=Area.DETECTION,
    severity=Severity.CRITICAL, resource=TRAIL, best_practices=["SEC04-BP01", "SEC08-BP04"], task="logging",
    uses=[BUCKET], sources=LIVE,
    remediation=Remediation(
        text="Remove ACL grants to AllUsers/AuthenticatedUsers and policy statements that allow Principal '*', "
             "and turn on S3 Block Public Access for the log bucket.",
        cli="aws s3api put-public-access-block --bucket LOG_BUCKET --public-access-block-configuration "
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        playbook="contain-bucket"))
def trail_bucket_public(trail: Resource, ctx: Context) -> Result:
    """A public log bucket hands attackers a map of the account and lets them see what was recorded of them."""
    name = trail.prop("S3BucketName")
    if is_unknown(name):
        return Result.unknown(name)
    bucket = _bucket_named(ctx, str(name))
    if bucket is None:
        return Result.unknown(f"bucket '{name}' is not in this account's inventory (another account's log "
                              "archive?): its access cannot be judged from here")
    reasons = bucket_public_reasons(bucket, ctx)
    if isinstance(reasons, Unknown):
        return Result.unknown(f"bucket '{name}': {reasons.reason}")
    if reasons:
        return Result.failed(f"bucket '{name}' is public: " + "; ".join(reasons), {"bucket": name})
    return Result.passed(f"bucket '{name}' grants nothing to AllUsers/AuthenticatedUsers and no unconditioned "
                         "Principal '*'")


@check(
    id="cloudtrail_bucket_access_logging", title="The CloudTrail bucket has server access logging",
    area=Area.DETECTION, severity=Severity.LOW, resource=TRAIL, best_practices=DETECT, cis=["4.4"],
    task="logging", uses=[BUCKET], sources=LIVE,
    remediation=Remediation(
        text="Turn on server access logging for the trail bucket, delivered to a separate bucket.",
        cli="aws s3api put-bucket-logging --bucket LOG_BUCKET --bucket-logging-status "
            "'{\"LoggingEnabled\":{\"TargetBucket\":\"ACCESS_LOG_BUCKET\",\"TargetPrefix\":\"trail/\"}}'"))
def trail_bucket_logging(trail: Resource, ctx: Context) -> Result:
    """Access logs show who read or deleted trail log files: the record of the record."""
    name = trail.prop("S3BucketName")
    if is_unknown(name):
        return Result.unknown(name)
    bucket = _bucket_named(ctx, str(name))
    if bucket is None:
        return Result.unknown(f"bucket '{name}' is not in this account's inventory: its logging cannot be judged")
    logging = bucket.prop("LoggingConfiguration")
    if is_unknown(logging):
        return Result.unknown(logging)
    if isinstance(logging, dict) and logging.get("DestinationBucketName"):
        return Result.passed(f"bucket '{name}' logs access to '{logging['DestinationBucketName']}'")
    return Result.failed(f"bucket '{name}' has no server access logging (LoggingConfiguration is not set)")


def _data_events(bucket: Resource, ctx: Context, kind: str) -> Result:
    name = bucket.prop("BucketName") or bucket.id
    unknowns: list[str] = []
    for trail in ctx.of_type(TRAIL):
        if not (trail.prop("IsMultiRegionTrail") or trail.region == bucket.region):
            continue
        logging = trail.prop("IsLogging")
        cover = s3_data_coverage(trail, str(name))
        if is_unknown(logging) or isinstance(cover, Unknown):
            unknowns.append(f"trail '{trail.id}': {(first_unknown(logging, cover) or Unknown('')).reason}")
            continue
        if logging and kind in cover:
            return Result.passed(f"trail '{trail.id}' records S3 object-level {kind} events for '{name}'",
                                 {"trail": trail.arn})
    gap = _trail_gap_reason(ctx)
    if unknowns or gap:
        return Result.unknown("; ".join(unknowns + ([gap] if gap else [])))
    return Result.failed(f"no logging trail records S3 object-level {kind} events (data events) for '{name}'")


_DATA_REMEDIATION = Remediation(
    text="Add an S3 data event selector (all buckets, or this one) to a logging multi-region trail.",
    cli="aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors "
        "'[{\"Name\":\"S3 data\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},"
        "{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}]}]'",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-cloudtrail-logging-for-s3.html")


@check(
    id="s3_object_write_events_logged", title="S3 object-level write events are logged by CloudTrail",
    area=Area.DETECTION, severity=Severity.LOW, resource=BUCKET, best_practices=DETECT, cis=["4.8"],
    task="logging", uses=[TRAIL], sources=LIVE, remediation=_DATA_REMEDIATION)
def s3_write_events(bucket: Resource, ctx: Context) -> Result:
    """Without data events nobody can tell which objects were overwritten or deleted, and by whom."""
    return _data_events(bucket, ctx, "write")


@check(
    id="s3_object_read_events_logged", title="S3 object-level read events are logged by CloudTrail",
    area=Area.DETECTION, severity=Severity.LOW, resource=BUCKET, best_practices=DETECT, cis=["4.9"],
    task="logging", uses=[TRAIL], sources=LIVE, remediation=_DATA_REMEDIATION)
def s3_read_events(bucket: Resource, ctx: Context) -> Result:
    """Without read data events the scope of a data exfiltration cannot be established."""
    return _data_events(bucket, ctx, "read")


# ---------------------------------------------------------------------------------------------------
# Config, GuardDuty, Security Hub (per region)


def _collected(region: Resource, prop: str, service: str) -> Result | None:
    if prop not in region.properties:
        return Result.unknown(f"{service} was not collected in {region.id} (left out by --services?)")
    value = region.properties[prop]
    return Result.unknown(value) if is_unknown(value) else None


@check(
    id="config_recorder_all_regions", title="AWS Config records all resources in every region",
    area=Area.DETECTION, severity=Severity.MEDIUM, resource="WASP::Region", best_practices=DETECT, cis=["4.3"],
    fsbp=["Config.1"], task="logging", sources=LIVE,
    remediation=Remediation(
        text="Create a configuration recorder for all supported resource types with a delivery channel, and "
             "start it, in every region.",
        cli="aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE "
            "--recording-group allSupported=true,includeGlobalResourceTypes=true && aws configservice "
            "put-delivery-channel --delivery-channel name=default,s3BucketName=BUCKET && aws configservice "
            "start-configuration-recorder --configuration-recorder-name default"))
def config_recording(region: Resource, ctx: Context) -> Result:
    """Config keeps the history of every resource's configuration: what changed, when, and what it was before."""
    missing = _collected(region, "ConfigurationRecorders", "AWS Config")
    if missing is not None:
        return missing
    recorders = region.properties["ConfigurationRecorders"] or []
    if not recorders:
        return Result.failed(f"no configuration recorder in {region.id}")
    statuses, channels = region.prop("ConfigurationRecorderStatus"), region.prop("DeliveryChannels")
    unknown = first_unknown(statuses, channels)
    if unknown is not None:
        return Result.unknown(unknown)
    rec = recorders[0]
    group = rec.get("recordingGroup") or {}
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []
    all_types = (group.get("allSupported") is True or strategy == "ALL_SUPPORTED_RESOURCE_TYPES") and not excluded
    status: dict[str, Any] = next((s for s in statuses or [] if s.get("name") == rec.get("name")), {})
    if not all_types:
        count = len(group.get("resourceTypes") or [])
        what = f"excludes {', '.join(excluded)}" if excluded else f"records only {count} selected resource types"
        return Result.failed(f"recorder '{rec.get('name')}' in {region.id} {what}")
    if not status.get("recording"):
        return Result.failed(f"recorder '{rec.get('name')}' in {region.id} is stopped (recording is false)")
    if str(status.get("lastStatus", "")).upper() == "FAILURE":
        return Result.failed(f"recorder '{rec.get('name')}' in {region.id} last failed: "
                             f"{status.get('lastErrorCode', '')} {status.get('lastErrorMessage', '')}".strip())
    if not channels:
        return Result.failed(f"recorder '{rec.get('name')}' in {region.id} has no delivery channel")
    return Result.passed(f"recorder '{rec.get('name')}' in {region.id} records all supported resource types "
                         f"and delivers to '{channels[0].get('s3BucketName')}'")


# (GuardDuty and Security Hub per region are rule files: wasp/checks/rules/guardduty.yaml, securityhub.yaml)


# ---------------------------------------------------------------------------------------------------
# VPC flow logs, log retention


@check(
    id="vpc_flow_logs_enabled", title="Every VPC has flow logs", area=Area.DETECTION, severity=Severity.MEDIUM,
    resource="AWS::EC2::VPC", best_practices=DETECT, cis=["4.7"], fsbp=["EC2.6"], task="logging",
    uses=["AWS::EC2::FlowLog"], sources=LIVE,
    remediation=Remediation(
        text="Create a flow log (at least REJECT traffic; ALL is better) for each VPC.",
        cli="aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type ALL "
            "--log-destination-type s3 --log-destination arn:aws:s3:::FLOW_LOG_BUCKET",
        terraform='resource "aws_flow_log" "vpc" {\n  vpc_id = aws_vpc.main.id\n  traffic_type = "ALL"\n}'))
def vpc_flow_logs(vpc: Resource, ctx: Context) -> Result:
    """Flow logs are the only record of which addresses talked to what during an incident."""
    vid = vpc.prop("VpcId") or vpc.id
    logs = [f for f in ctx.of_type("AWS::EC2::FlowLog", region=vpc.region) if f.prop("ResourceId") == vid]
    if not logs:
        return Result.failed(f"VPC {vid} has no flow log")
    good = [f for f in logs if f.prop("TrafficType") in ("ALL", "REJECT")
            and f.observed.get("FlowLogStatus", "ACTIVE") == "ACTIVE"]
    if good:
        f = good[0]
        return Result.passed(f"flow log {f.id} captures {f.prop('TrafficType')} traffic to "
                             f"{f.prop('LogDestination')}")
    f = logs[0]
    return Result.failed(f"flow log {f.id} on VPC {vid} captures {f.prop('TrafficType')} traffic with status "
                         f"{f.observed.get('FlowLogStatus', '?')}: rejected traffic is not recorded")


# ---------------------------------------------------------------------------------------------------
# CIS monitoring: metric filter -> alarm -> SNS topic with a subscriber, on a multi-region trail's log group


_LOG_GROUP_ARN = re.compile(r"^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+?)(:\*)?$")
_CONFIRMED_NOT = {"PendingConfirmation", "Deleted", ""}


class _Chain:
    """Walks trail -> log group -> filter -> alarm -> topic for one control, remembering why links broke."""

    def __init__(self, ctx: Context, spec: MonitorSpec) -> None:
        self.ctx, self.spec = ctx, spec
        self.failures: list[str] = []
        self.unknowns: list[str] = []

    def run(self) -> Result:
        trails = self.ctx.of_type(TRAIL)
        for trail in trails:
            verdict = trail_qualifies(trail)
            if isinstance(verdict, Unknown):
                self.unknowns.append(f"trail '{trail.id}': {verdict.reason}")
                continue
            if not verdict[0]:
                continue
            arn = trail.prop("CloudWatchLogsLogGroupArn")
            if not arn:
                self.failures.append(f"trail '{trail.id}' does not deliver to CloudWatch Logs")
                continue
            passed = self.log_group(trail, str(arn))
            if passed is not None:
                return passed
        gap = _trail_gap_reason(self.ctx)
        if gap:
            self.unknowns.append(gap)
        if self.unknowns:
            return Result.unknown("; ".join(self.unknowns[:3]))
        if not self.failures:
            return Result.failed("no multi-region trail that logs read and write management events exists to "
                                 "feed a metric filter")
        shown = "; ".join(list(dict.fromkeys(self.failures))[:3])
        return Result.failed(f"no working CIS {self.spec.cis} alarm for {self.spec.title}: {shown}",
                             {"missing": self.failures})

    def log_group(self, trail: Resource, arn: str) -> Result | None:
        m = _LOG_GROUP_ARN.match(arn)
        if m is None:
            self.failures.append(f"trail '{trail.id}' names an unreadable log group ARN {arn}")
            return None
        region, account, name = m.group(1), m.group(2), m.group(3)
        if account and self.ctx.account and account != self.ctx.account:
            self.unknowns.append(f"log group {name} belongs to account {account}, which was not scanned")
            return None
        gap = self.ctx.inventory.gap_for("AWS::Logs::LogGroup", region=region)
        if gap is not None:
            self.unknowns.append(f"could not read log groups in {region}: {gap.reason}")
            return None
        group = next((g for g in self.ctx.of_type("AWS::Logs::LogGroup", region=region) if g.id == name), None)
        if group is None:
            if region not in self.ctx.regions and self.ctx.regions:
                self.unknowns.append(f"log group {name} is in {region}, which was not scanned")
            else:
                self.failures.append(f"trail '{trail.id}' delivers to log group {name}, which does not exist")
            return None
        filters = group.prop("MetricFilters")
        if is_unknown(filters):
            self.unknowns.append(f"log group {name}: {filters.reason}")
            return None
        cover = management_coverage(trail)
        excluded = cover[1] if not isinstance(cover, Unknown) else set()
        lost = sorted({e.get("eventSource", "") for _, e in self.spec.events} & excluded)
        if lost:
            self.failures.append(f"trail '{trail.id}' excludes {', '.join(lost)} management events")
            return None
        if not filters:
            self.failures.append(f"log group {name} has no metric filters")
            return None
        related = False
        for flt in filters:
            verdict = judge(flt.get("FilterPattern", ""), self.spec)
            if len(verdict.missed) == len(self.spec.events):
                continue  # matches none of this control's events: another control's filter
            related = True
            if not verdict.counts:
                self.failures.append(f"filter '{flt.get('FilterName')}' on {name}: {verdict.reason}")
                continue
            for tr in flt.get("MetricTransformations") or []:
                passed = self.alarms(trail, group, flt, tr, region)
                if passed is not None:
                    return passed
        if not related:
            self.failures.append(f"no metric filter on log group {name} matches any {self.spec.title} event")
        return None

    def alarms(self, trail: Resource, group: Resource, flt: dict[str, Any], tr: dict[str, Any],
               region: str) -> Result | None:
        metric, namespace = tr.get("MetricName"), tr.get("MetricNamespace")
        gap = self.ctx.inventory.gap_for("AWS::CloudWatch::Alarm", region=region)
        if gap is not None:
            self.unknowns.append(f"could not read alarms in {region}: {gap.reason}")
            return None
        alarms = [a for a in self.ctx.of_type("AWS::CloudWatch::Alarm", region=region) if _alarm_on(a, metric,
                                                                                                    namespace)]
        if not alarms:
            self.failures.append(f"filter '{flt.get('FilterName')}' feeds {namespace}/{metric}, which no alarm watches")
            return None
        for alarm in alarms:
            if alarm.prop("ActionsEnabled") is False:
                self.failures.append(f"alarm '{alarm.id}' has its actions disabled")
                continue
            topics = [a for a in alarm.prop("AlarmActions") or [] if ":sns:" in str(a)]
            if not topics:
                self.failures.append(f"alarm '{alarm.id}' notifies no SNS topic")
                continue
            for topic_arn in topics:
                passed = self.topic(trail, group, flt, alarm, str(topic_arn))
                if passed is not None:
                    return passed
        return None

    def topic(self, trail: Resource, group: Resource, flt: dict[str, Any], alarm: Resource,
              topic_arn: str) -> Result | None:
        topic_region = topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else alarm.region
        topic = next((t for t in self.ctx.of_type("AWS::SNS::Topic") if t.arn == topic_arn), None)
        if topic is None:
            gap = self.ctx.inventory.gap_for("AWS::SNS::Topic", region=topic_region)
            if gap is not None or (self.ctx.regions and topic_region not in self.ctx.regions):
                self.unknowns.append(f"topic {topic_arn} could not be read"
                                     + (f": {gap.reason}" if gap else f" ({topic_region} not scanned)"))
            else:
                self.failures.append(f"alarm '{alarm.id}' notifies {topic_arn}, which does not exist")
            return None
        subs = topic.prop("Subscriptions")
        if is_unknown(subs):
            self.unknowns.append(f"topic {topic.id}: {subs.reason}")
            return None
        confirmed = [s for s in subs or [] if str(s.get("SubscriptionArn") or "") not in _CONFIRMED_NOT]
        if not confirmed:
            self.failures.append(f"topic '{topic.id}' has no confirmed subscription")
            return None
        return Result.passed(
            f"filter '{flt.get('FilterName')}' on {group.id} (trail '{trail.id}') matches every "
            f"{self.spec.title} event; alarm '{alarm.id}' notifies topic '{topic.id}' "
            f"({len(confirmed)} subscription{'s' if len(confirmed) > 1 else ''})",
            {"trail": trail.arn, "log_group": group.id, "filter": flt.get("FilterName"), "alarm": alarm.id,
             "topic": topic.arn})


def _alarm_on(alarm: Resource, metric: Any, namespace: Any) -> bool:
    if alarm.prop("MetricName") == metric and alarm.prop("Namespace") == namespace:
        return True
    for query in alarm.prop("Metrics") or []:
        stat = (query.get("MetricStat") or {}).get("Metric") or {}
        if stat.get("MetricName") == metric and stat.get("Namespace") == namespace:
            return True
    return False


MONITOR_TYPES = (TRAIL, "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm", "AWS::SNS::Topic")


def _register_monitor(spec: MonitorSpec) -> None:
    def monitor_check(account: Resource, ctx: Context) -> Result:
        return _Chain(ctx, spec).run()

    monitor_check.__doc__ = (
        f"CIS {spec.cis}: {spec.title} must raise an alarm that reaches a person. The metric filter counts only "
        "if its pattern really matches every representative CloudTrail event for the control (parsed and "
        "evaluated, not string-compared), on a log group fed by a multi-region trail with management events.")
    severe = spec.cis in ("5.1", "5.2", "5.3", "5.4", "5.5", "5.7")
    check(
        id=f"monitor_{spec.key}", title=f"An alarm reaches a person on {spec.title} (CIS {spec.cis})",
        area=Area.DETECTION, severity=Severity.MEDIUM if severe else Severity.LOW, resource="WASP::Account",
        best_practices=CENTRAL, cis=[spec.cis], task="logging", sources=LIVE, uses=MONITOR_TYPES,
        remediation=Remediation(
            text=f"On the log group of a multi-region trail, create a metric filter matching {spec.title}, an "
                 "alarm on its metric (Sum >= 1 over 5 minutes) and an SNS topic with a confirmed subscriber "
                 "(the CLI fix carries the CIS reference pattern).",
            cli=f"aws logs put-metric-filter --log-group-name TRAIL_GROUP --filter-name cis-{spec.cis} "
                f"--metric-transformations metricName={spec.key},metricNamespace=CISBenchmark,metricValue=1 "
                f"--filter-pattern '{spec.example}' && aws cloudwatch put-metric-alarm --alarm-name cis-{spec.cis} "
                f"--metric-name {spec.key} --namespace CISBenchmark --statistic Sum --period 300 "
                "--evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold "
                "--alarm-actions SNS_TOPIC_ARN"),
    )(monitor_check)


def _register_all(specs: Iterable[MonitorSpec]) -> None:
    for spec in specs:
        _register_monitor(spec)


_register_all(CIS_MONITORS)
