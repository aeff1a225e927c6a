"""restore-logging: turn detection back on after an actor switched it off."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from wasp.respond.plan import Call, Plan, Step
from wasp.respond.playbooks.common import read
from wasp.respond.registry import playbook


@playbook("restore-logging", "Restart stopped trails and re-enable GuardDuty and AWS Config in a region",
          "'all' or a trail name",
          read=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "guardduty:ListDetectors",
                "guardduty:GetDetector", "config:DescribeConfigurationRecorderStatus"],
          write=["cloudtrail:StartLogging", "guardduty:UpdateDetector", "guardduty:CreateDetector",
                 "config:StartConfigurationRecorder"],
          answers=["cloudtrail_multi_region_logging", "guardduty_enabled", "config_recorder_all_regions",
                   "trail_cloudtrail_tampering", "trail_security_services_disabled"])
def restore_logging(target: Any, region: str, which: str, case_id: str, **_: Any) -> Plan:
    steps: list[Step] = []
    skipped: list[str] = []
    state: dict[str, Any] = {}
    trails = read(target, region, "cloudtrail", "describe_trails", includeShadowTrails=False).get("trailList", [])
    for trail in trails:
        if which not in ("all", trail["Name"], trail.get("TrailARN")):
            continue
        status = read(target, region, "cloudtrail", "get_trail_status", Name=trail["TrailARN"])
        state[f"trail:{trail['Name']}"] = {"IsLogging": status.get("IsLogging")}
        if status.get("IsLogging"):
            skipped.append(f"trail {trail['Name']} is logging")
            continue
        steps.append(start_trail_step(trail["Name"], trail["TrailARN"]))
    if which == "all":
        detectors = read(target, region, "guardduty", "list_detectors").get("DetectorIds", [])
        if not detectors:
            steps.append(create_detector_step())
        for det in detectors:
            info = read(target, region, "guardduty", "get_detector", DetectorId=det)
            state[f"guardduty:{det}"] = info.get("Status")
            if info.get("Status") == "ENABLED":
                skipped.append(f"GuardDuty detector {det} enabled")
                continue
            steps.append(enable_detector_step(det, info.get("Status")))
        try:
            recorders = target.client("config", region).describe_configuration_recorder_status().get(
                "ConfigurationRecordersStatus", [])
        except botocore.exceptions.ClientError:
            recorders = []
        for rec in recorders:
            state[f"config:{rec['name']}"] = {"recording": rec.get("recording")}
            if rec.get("recording"):
                skipped.append(f"Config recorder {rec['name']} recording")
                continue
            steps.append(start_recorder_step(rec["name"]))
    return Plan("restore-logging", which, region, steps, state=state, skipped=skipped)


# the steps, shared with the state machine (wasp deploy response), which calls them with symbolic values

def start_trail_step(name: str, arn: str) -> Step:
    return Step(id=f"start-{name}", title=f"Start logging on trail {name}", before=False,
                call=Call("cloudtrail", "start_logging", {"Name": arn}, "cloudtrail:StartLogging"))


def create_detector_step() -> Step:
    return Step(id="create-detector", title="Enable GuardDuty (no detector in this region)",
                call=Call("guardduty", "create_detector", {"Enable": True}, "guardduty:CreateDetector"),
                save={"DetectorId": "DetectorId"})


def enable_detector_step(detector: str, before: Any) -> Step:
    return Step(id=f"enable-{detector}", title=f"Re-enable GuardDuty detector {detector}", before=before,
                call=Call("guardduty", "update_detector", {"DetectorId": detector, "Enable": True},
                          "guardduty:UpdateDetector"))


def start_recorder_step(name: str) -> Step:
    return Step(id=f"start-recorder-{name}", title=f"Restart Config recorder {name}",
                call=Call("config", "start_configuration_recorder", {"ConfigurationRecorderName": name},
                          "config:StartConfigurationRecorder"))
