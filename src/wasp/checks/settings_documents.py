"""Settings held as JSON documents: DMS replication task logging and EMR security configurations.

CloudFormation accepts these documents either as objects or as JSON text (and the APIs return text), so
a rule path cannot reach inside them; these checks parse both forms. A document that is not JSON, or an
unresolved template expression, is UNKNOWN, never PASS.
"""

from __future__ import annotations

import json
from typing import Any

from wasp.checks.context import Context
from wasp.checks.registry import check
from wasp.model import Area, Remediation, Resource, Result, Severity, is_unknown

TASK = "AWS::DMS::ReplicationTask"
EMR_SC = "AWS::EMR::SecurityConfiguration"
# DMS severities from least to most verbose; the FSBP controls ask for LOGGER_SEVERITY_DEFAULT or above
DMS_SEVERITIES = ("LOGGER_SEVERITY_ERROR", "LOGGER_SEVERITY_WARNING", "LOGGER_SEVERITY_INFO",
                  "LOGGER_SEVERITY_DEFAULT", "LOGGER_SEVERITY_DEBUG", "LOGGER_SEVERITY_DETAILED_DEBUG")
MIN_SEVERITY = "LOGGER_SEVERITY_DEFAULT"
SETTINGS_URL = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TaskSettings.Logging.html"


class NotADocument(Exception):
    """The value is neither an object nor JSON text holding one."""


def document(value: Any, name: str) -> dict[str, Any] | None:
    """The settings as a dict (None when not set); raises NotADocument with a one-line reason."""
    if value is None:
        return None
    if isinstance(value, dict):
        if any(str(k).startswith("Fn::") or k == "Ref" for k in value):
            raise NotADocument(f"{name} is a template expression wasp cannot resolve")
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise NotADocument(f"{name} is not JSON: {exc}") from None
        if isinstance(parsed, dict):
            return parsed
    raise NotADocument(f"{name} is not a JSON object")


def _task_logging(task: Resource, components: tuple[str, str]) -> Result:
    raw = task.prop("ReplicationTaskSettings")
    if is_unknown(raw):
        return Result.unknown(raw)
    try:
        settings = document(raw, "ReplicationTaskSettings")
    except NotADocument as exc:
        return Result.unknown(str(exc))
    logging = (settings or {}).get("Logging")
    if not isinstance(logging, dict) or str(logging.get("EnableLogging")).lower() != "true":
        return Result.failed("task logging is off (Logging.EnableLogging is not true)")
    levels = {c.get("Id"): c.get("Severity") for c in logging.get("LogComponents") or [] if isinstance(c, dict)}
    weak = []
    for component in components:
        # a component the settings do not list logs at DMS's default severity
        level = levels.get(component) or MIN_SEVERITY
        if level not in DMS_SEVERITIES:
            return Result.unknown(f"{component} has an unrecognised severity {level!r}")
        if DMS_SEVERITIES.index(level) < DMS_SEVERITIES.index(MIN_SEVERITY):
            weak.append(f"{component} logs at {level}")
    if weak:
        return Result.failed(f"{', '.join(weak)} (below {MIN_SEVERITY})", {"LogComponents": levels})
    return Result.passed(f"logging on; {' and '.join(components)} log at {MIN_SEVERITY} or above")


def _task_remediation(components: str) -> Remediation:
    return Remediation(
        text=f"Enable task logging and set {components} to LOGGER_SEVERITY_DEFAULT (or DEBUG) in the task settings.",
        cli="aws dms modify-replication-task --replication-task-arn ARN --replication-task-settings file://settings.json",
        cloudformation="ReplicationTaskSettings: '{\"Logging\": {\"EnableLogging\": true, \"LogComponents\": "
                       f"[{{\"Id\": \"{components.split(' and ')[0]}\", "
                       "\"Severity\": \"LOGGER_SEVERITY_DEFAULT\"}]}}'",
        terraform="replication_task_settings = jsonencode({ Logging = { EnableLogging = true } })",
        url=SETTINGS_URL)


@check(
    id="dms_task_target_logging", title="DMS replication task logs the target database's apply and load",
    area=Area.DETECTION, severity=Severity.MEDIUM, resource=TASK, best_practices=["SEC04-BP01"],
    fsbp=["DMS.7"], task="logging", remediation=_task_remediation("TARGET_APPLY and TARGET_LOAD"),
)
def dms_task_target_logging(task: Resource, ctx: Context) -> Result:
    """Without TARGET_APPLY/TARGET_LOAD logs, what a migration wrote to the target cannot be reconstructed."""
    return _task_logging(task, ("TARGET_APPLY", "TARGET_LOAD"))


@check(
    id="dms_task_source_logging", title="DMS replication task logs the source database's capture and unload",
    area=Area.DETECTION, severity=Severity.MEDIUM, resource=TASK, best_practices=["SEC04-BP01"],
    fsbp=["DMS.8"], task="logging", remediation=_task_remediation("SOURCE_CAPTURE and SOURCE_UNLOAD"),
)
def dms_task_source_logging(task: Resource, ctx: Context) -> Result:
    """Without SOURCE_CAPTURE/SOURCE_UNLOAD logs, what a migration read from the source cannot be told."""
    return _task_logging(task, ("SOURCE_CAPTURE", "SOURCE_UNLOAD"))


def _emr_encryption(sc: Resource, flag: str, what: str) -> Result:
    raw = sc.prop("SecurityConfiguration")
    if is_unknown(raw):
        return Result.unknown(raw)
    try:
        doc = document(raw, "SecurityConfiguration")
    except NotADocument as exc:
        return Result.unknown(str(exc))
    enc = (doc or {}).get("EncryptionConfiguration")
    value = enc.get(flag) if isinstance(enc, dict) else None
    if str(value).lower() == "true":
        return Result.passed(f"EncryptionConfiguration.{flag} is true")
    return Result.failed(f"EncryptionConfiguration.{flag} is {value if value is not None else 'not set'}: "
                         f"{what} is not encrypted")


@check(
    id="emr_security_configuration_encryption_at_rest",
    title="EMR security configuration enables encryption at rest",
    area=Area.DATA, severity=Severity.MEDIUM, resource=EMR_SC, best_practices=["SEC08-BP02"],
    fsbp=["EMR.3"], task="enc_rest",
    remediation=Remediation(
        text="Create a security configuration with at-rest encryption (S3 and local disks) and use it for new "
             "clusters; a security configuration cannot be edited.",
        cli="aws emr create-security-configuration --name enc --security-configuration file://sc.json",
        cloudformation="SecurityConfiguration: {EncryptionConfiguration: {EnableAtRestEncryption: true, ...}}",
        url="https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html"),
)
def emr_encryption_at_rest(sc: Resource, ctx: Context) -> Result:
    """EMRFS data in S3 and the clusters' local disks hold the processed data in clear without it."""
    return _emr_encryption(sc, "EnableAtRestEncryption", "data at rest (EMRFS, local disks)")


@check(
    id="emr_security_configuration_encryption_in_transit",
    title="EMR security configuration enables encryption in transit",
    area=Area.DATA, severity=Severity.MEDIUM, resource=EMR_SC, best_practices=["SEC09-BP02"],
    fsbp=["EMR.4"], task="enc_transit",
    remediation=Remediation(
        text="Create a security configuration with in-transit encryption (TLS certificates) and use it for new "
             "clusters; a security configuration cannot be edited.",
        cli="aws emr create-security-configuration --name tls --security-configuration file://sc.json",
        cloudformation="SecurityConfiguration: {EncryptionConfiguration: {EnableInTransitEncryption: true, ...}}",
        url="https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-encryption-enable.html"),
)
def emr_encryption_in_transit(sc: Resource, ctx: Context) -> Result:
    """Shuffle traffic and application ports between nodes carry the processed data in clear without it."""
    return _emr_encryption(sc, "EnableInTransitEncryption", "traffic between nodes")
