"""Config, GuardDuty and Security Hub collectors: region facts on WASP::Region."""

from __future__ import annotations

from wasp.demo import detection as build
from wasp.sources.aws.collect import collect


def test_region_facts(aws):
    """Config recorders/status/channels, GuardDuty detectors and the Security Hub hub land on WASP::Region."""
    build.config_recorder(aws, "us-east-1", build.trail_bucket(aws))
    detector = aws.client("guardduty").create_detector(Enable=True)["DetectorId"]
    aws.client("securityhub").enable_security_hub()
    inv = collect(aws, ["us-east-1", "eu-west-1"], services=["config", "guardduty", "securityhub"]).inventory
    regions = {r.id: r.properties for r in inv.of_type("WASP::Region")}
    home, other = regions["us-east-1"], regions["eu-west-1"]
    assert home["ConfigurationRecorders"][0]["recordingGroup"]["allSupported"] is True
    assert home["ConfigurationRecorderStatus"][0]["recording"] is True
    assert home["DeliveryChannels"][0]["s3BucketName"] == build.TRAIL_BUCKET
    assert home["GuardDutyDetectors"] == [{"DetectorId": detector, "Status": "ENABLED", "Features": [],
                                           "DataSources": home["GuardDutyDetectors"][0]["DataSources"],
                                           "FindingPublishingFrequency": "SIX_HOURS"}]
    assert home["SecurityHub"]["HubArn"].endswith(":hub/default")
    assert other["ConfigurationRecorders"] == [] and other["GuardDutyDetectors"] == []
    assert other["SecurityHub"] is None
    assert not inv.gaps
