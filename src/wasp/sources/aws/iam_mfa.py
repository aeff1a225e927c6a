"""Which virtual MFA devices are assigned to the root user (``WASP::Account.RootVirtualMfaDevices``).

The IAM account summary says whether root has MFA at all (``AccountMFAEnabled``); only the virtual MFA
device listing tells a virtual device from a hardware one: a root whose MFA device appears there (assigned
to ``arn:<partition>:iam::<account>:root``, serial ``...:mfa/root-account-mfa-device``) uses a virtual
device, as AWS Config's root-account-hardware-mfa-enabled rule decides. One listing per account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource, Unknown
from wasp.sources.aws.base import ACCOUNT, Scope, Service

IAM_MFA = Service("iam", label="iam_mfa", actions=["iam:ListVirtualMFADevices"])


def is_root_device(device: dict[str, Any], account: str) -> bool:
    user_arn = str((device.get("User") or {}).get("Arn", ""))
    serial = str(device.get("SerialNumber", ""))
    return user_arn.endswith(f":{account}:root") or serial.endswith(f":{account}:mfa/root-account-mfa-device")


@IAM_MFA.collects(ACCOUNT, global_=True, provides=["RootVirtualMfaDevices"])
def root_virtual_mfa(client: Any, scope: Scope) -> Iterator[Resource]:
    devices = scope.fetch_all(client, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned")
    value: list[str] | Unknown = devices if isinstance(devices, Unknown) else [
        str(d.get("SerialNumber")) for d in devices if is_root_device(d, scope.account)]
    yield Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"RootVirtualMfaDevices": value})
