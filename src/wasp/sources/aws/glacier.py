"""S3 Glacier vaults (AWS::Glacier::Vault) with their access policy.

ListVaults names the vaults; the access policy takes a GetVaultAccessPolicy each (a vault without one answers
ResourceNotFoundException: no policy).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service, policy_json

GLACIER = Service("glacier", label="glacier", actions=["glacier:ListVaults", "glacier:GetVaultAccessPolicy"])


@GLACIER.collects("AWS::Glacier::Vault", fan_out=True)
def vaults(client: Any, scope: Scope) -> Iterator[Resource]:
    for vault in scope.paginate(client, "list_vaults", "VaultList", accountId="-"):
        name = vault["VaultName"]
        policy = scope.fetch(client.get_vault_access_policy, accountId="-", vaultName=name,
                             absent=["ResourceNotFoundException"],
                             pick=lambda r: policy_json((r.get("policy") or {}).get("Policy"), "vault access policy"))
        yield Resource.of("AWS::Glacier::Vault", name, arn=vault.get("VaultARN", ""), account=scope.account,
                          region=scope.region, properties={"VaultName": name, "AccessPolicy": policy})
