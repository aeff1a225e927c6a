"""Service Catalog portfolios (AWS::ServiceCatalog::Portfolio) with the accounts they are shared with.

``AccountShares`` lists the account ids of shares of type ACCOUNT (one DescribePortfolioShares per
portfolio); shares to the organization or its units are what the sharing rules ask for and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wasp.model import Resource
from wasp.sources.aws.base import Scope, Service

SERVICECATALOG = Service("servicecatalog", label="servicecatalog",
                         actions=["servicecatalog:ListPortfolios", "servicecatalog:DescribePortfolioShares"])
TYPE = "AWS::ServiceCatalog::Portfolio"


@SERVICECATALOG.collects(TYPE, fan_out=True)
def portfolios(client: Any, scope: Scope) -> Iterator[Resource]:
    items = list(scope.paginate(client, "list_portfolios", "PortfolioDetails"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        yield from pool.map(lambda p: _portfolio(client, scope, p), items)


def _portfolio(client: Any, scope: Scope, p: dict[str, Any]) -> Resource:
    shares = scope.fetch(lambda **kw: list(scope.paginate(client, "describe_portfolio_shares",
                                                          "PortfolioShareDetails", **kw)),
                         PortfolioId=p["Id"], Type="ACCOUNT",
                         pick=lambda items: sorted(str(s.get("PrincipalId")) for s in items))
    return Resource.of(TYPE, p["Id"], name=p.get("DisplayName"), arn=p.get("ARN", ""), account=scope.account,
                       region=scope.region, properties={"DisplayName": p.get("DisplayName"),
                                                        "ProviderName": p.get("ProviderName"),
                                                        "AccountShares": shares})
