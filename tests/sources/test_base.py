"""Scope's page walk: the same call for pageable and single-answer operations."""

from __future__ import annotations

from wasp.sources.aws.base import Scope
from wasp.sources.aws.session import AwsTarget


def test_pages_gives_one_page_for_an_operation_botocore_cannot_paginate(aws: AwsTarget) -> None:
    """A PaginationConfig meant for pageable calls is dropped for a single-answer one, which still answers."""
    scope = Scope(aws.account_id(), "us-east-1", aws)
    [page] = list(scope.pages(aws.client("iam"), "get_account_summary", PaginationConfig={"PageSize": 100}))
    assert "SummaryMap" in page


def test_paginate_flattens_the_pages_of_a_pageable_operation(aws: AwsTarget) -> None:
    """paginate yields the items under the key from every page, in order."""
    iam = aws.client("iam")
    for name in ("a", "b", "c"):
        iam.create_user(UserName=name)
    scope = Scope(aws.account_id(), "us-east-1", aws)
    assert [u["UserName"] for u in scope.paginate(iam, "list_users", "Users", PaginationConfig={"PageSize": 2})] \
        == ["a", "b", "c"]
