"""Account-wide facts (WASP::Account): summary counters, contacts, organization membership."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import ACCOUNT, Scope, Service

IAM_ACCOUNT = Service("iam", label="iam", actions=["iam:GetAccountSummary"])


@IAM_ACCOUNT.collects(ACCOUNT, global_=True, provides=["AccountSummary"])
def account_summary(client: Any, scope: Scope) -> Iterator[Resource]:
    summary = scope.fetch(client.get_account_summary, pick=lambda r: r["SummaryMap"])
    yield Resource.of(ACCOUNT, scope.account, account=scope.account, properties={"AccountSummary": summary})
