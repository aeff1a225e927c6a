"""Make an N-times larger authorization-details file: copies of every user, group, role and customer
managed policy with suffixed names and ARNs (AWS managed policies are kept once), consistent within
each copy so that attachments, group memberships and trust policies still resolve."""

from __future__ import annotations

import copy
import re
from typing import Any

_ARN = re.compile(r"^(arn:aws:iam::\d{12}:(?:user|role|group|policy|instance-profile)/(?:.*/)?)([^/]+)$")
_NAMES = {"UserName", "RoleName", "GroupName", "InstanceProfileName"}
_IDS = {"UserId", "RoleId", "GroupId", "PolicyId", "InstanceProfileId"}


def _rename(value: Any, n: int, key: str = "", parent: dict[str, Any] | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, n, k, value) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, n, key, parent) for v in value]
    if not isinstance(value, str):
        return value
    m = _ARN.match(value)
    if m:
        return f"{m.group(1)}{m.group(2)}-c{n}"
    if key in _NAMES or key == "GroupList":
        return f"{value}-c{n}"
    if key in _IDS:
        return f"{value}C{n}"
    if key == "PolicyName" and parent is not None:
        arn = parent.get("PolicyArn") or parent.get("Arn")
        if arn and ":iam::aws:policy/" not in arn:
            return f"{value}-c{n}"
    return value


def replicate(data: dict[str, Any], copies: int) -> dict[str, Any]:
    out: dict[str, list[Any]] = {k: list(v) for k, v in data.items()}
    for n in range(1, copies):
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
            out[key].extend(_rename(copy.deepcopy(item), n) for item in data.get(key, []))
        out["Policies"].extend(_rename(copy.deepcopy(p), n) for p in data.get("Policies", [])
                               if ":iam::aws:policy/" not in p.get("Arn", ""))
    return out
