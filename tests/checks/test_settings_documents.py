"""DMS task logging and EMR security configuration checks on documents given as objects or JSON text."""

from __future__ import annotations

import json

from wasp.checks.context import Context
from wasp.checks.settings_documents import (
    dms_task_source_logging,
    dms_task_target_logging,
    emr_encryption_at_rest,
    emr_encryption_in_transit,
)
from wasp.model import Resource, Status, Unknown


def _task(settings):
    return Resource.of("AWS::DMS::ReplicationTask", "t", properties={"ReplicationTaskSettings": settings})


def _sc(doc):
    return Resource.of("AWS::EMR::SecurityConfiguration", "sc", properties={"SecurityConfiguration": doc})


CTX: Context = None  # type: ignore[assignment]  # these checks read nothing from the context


def test_dms_logging_levels_text_and_object():
    """DEBUG passes, WARNING fails naming the component, logging off fails, JSON text and objects judge alike."""
    def settings(level):
        return {"Logging": {"EnableLogging": True, "LogComponents": [
            {"Id": "TARGET_APPLY", "Severity": level}, {"Id": "TARGET_LOAD", "Severity": "LOGGER_SEVERITY_DEFAULT"}]}}
    assert dms_task_target_logging(_task(settings("LOGGER_SEVERITY_DEBUG")), CTX).status is Status.PASS
    weak = dms_task_target_logging(_task(json.dumps(settings("LOGGER_SEVERITY_WARNING"))), CTX)
    assert weak.status is Status.FAIL and "TARGET_APPLY logs at LOGGER_SEVERITY_WARNING" in weak.reason
    assert dms_task_source_logging(_task({"Logging": {"EnableLogging": False}}), CTX).status is Status.FAIL
    assert dms_task_source_logging(_task(None), CTX).status is Status.FAIL  # CloudFormation default: logging off


def test_dms_unreadable_settings_are_unknown():
    """Unknown settings, non-JSON text, template expressions and unknown severities are UNKNOWN, never PASS."""
    for value in (Unknown("denied"), "{not json", {"Fn::Sub": "x"}):
        assert dms_task_target_logging(_task(value), CTX).status is Status.UNKNOWN, value
    odd = {"Logging": {"EnableLogging": True, "LogComponents": [{"Id": "SOURCE_CAPTURE", "Severity": "LOUD"}]}}
    assert dms_task_source_logging(_task(odd), CTX).status is Status.UNKNOWN


def test_emr_security_configuration_encryption():
    """At-rest and in-transit flags are read from objects or JSON text; missing flags fail; bad JSON is UNKNOWN."""
    both = {"EncryptionConfiguration": {"EnableAtRestEncryption": True, "EnableInTransitEncryption": True}}
    rest_only = json.dumps({"EncryptionConfiguration": {"EnableAtRestEncryption": True,
                                                        "EnableInTransitEncryption": False}})
    assert emr_encryption_at_rest(_sc(both), CTX).status is Status.PASS
    assert emr_encryption_in_transit(_sc(both), CTX).status is Status.PASS
    assert emr_encryption_at_rest(_sc(rest_only), CTX).status is Status.PASS
    failed = emr_encryption_in_transit(_sc(rest_only), CTX)
    assert failed.status is Status.FAIL and "EnableInTransitEncryption is False" in failed.reason
    assert emr_encryption_at_rest(_sc({}), CTX).status is Status.FAIL
    assert emr_encryption_at_rest(_sc("{"), CTX).status is Status.UNKNOWN
    assert emr_encryption_in_transit(_sc(Unknown("denied")), CTX).status is Status.UNKNOWN
