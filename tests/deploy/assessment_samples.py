"""Sample EventBridge events for the continuous-assessment tests (shapes as AWS documents them)."""

from __future__ import annotations

from typing import Any

BUCKET = "acme-shared-reports"
ACCOUNT = "123456789012"
# An EventBridge "Config Configuration Item Change" event, shaped as AWS Config emits it (the configuration
# item of its ConfigurationItemChangeNotification, as in the AWS Config Developer Guide's example notifications)
CONFIG_CHANGE: dict[str, Any] = {
    "version": "0", "id": "7c1d2f6e-2c4b-4b53-9a43-0d6b8f0b9c11", "detail-type": "Config Configuration Item Change",
    "source": "aws.config", "account": ACCOUNT, "time": "2026-12-06T01:02:03Z", "region": "us-east-1",
    "resources": [f"arn:aws:s3:::{BUCKET}"],
    "detail": {
        "recordVersion": "1.3", "messageType": "ConfigurationItemChangeNotification",
        "notificationCreationTime": "2026-12-06T01:02:03.456Z",
        "configurationItemDiff": {"changeType": "UPDATE", "changedProperties": {
            "SupplementaryConfiguration.AccessControlList": {
                "changeType": "UPDATE", "previousValue": "{\"grantList\":[]}",
                "updatedValue": "{\"grantList\":[{\"grantee\":\"AllUsers\"}]}"}}},
        "configurationItem": {
            "relatedEvents": [], "relationships": [], "configuration": {"name": BUCKET, "owner": {"id": "abc"},
                                                                        "creationDate": "2026-12-06T00:00:00.000Z"},
            "supplementaryConfiguration": {}, "tags": {}, "configurationItemVersion": "1.3",
            "configurationItemCaptureTime": "2026-12-06T01:02:03.000Z", "configurationStateId": 1765000923000,
            "awsAccountId": ACCOUNT, "configurationItemStatus": "OK", "resourceType": "AWS::S3::Bucket",
            "resourceId": BUCKET, "resourceName": BUCKET, "ARN": f"arn:aws:s3:::{BUCKET}", "awsRegion": "us-east-1",
            "availabilityZone": "Regional", "configurationStateMd5Hash": "",
            "resourceCreationTime": "2026-12-06T00:00:00.000Z"}}}
SCHEDULED = {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
             "source": "aws.events", "account": ACCOUNT, "time": "2026-12-06T03:00:00Z", "region": "us-east-1",
             "resources": [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/wasp-assessment-schedule"], "detail": {}}
