"""The response journal the deployed state machines write: a DynamoDB table, read like the local one.

``wasp deploy response`` creates the table; each execution writes a case row (sort key ``#case``) and one
row per step (sort key ``NNN:step-id``) with the step's encoded call and undo, the state before the change
and the outputs after it. ``wasp respond show/undo --journal-table NAME`` reads it through this class,
which answers the same methods as :class:`wasp.respond.journal.Journal`, so an automated case is
inspected and undone exactly like a manual one.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions

from wasp.errors import InputError
from wasp.model import to_jsonable
from wasp.sources.aws.base import describe_error

CASE_SEQ = "#case"


def _s(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value.get("S") if isinstance(value, dict) else None


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


class TableJournal:
    def __init__(self, target: Any, table: str, region: str | None = None) -> None:
        self.table = table
        self.path = f"DynamoDB table {table}"
        self.client = target.client("dynamodb", region or target.region)

    def _call(self, method: str, **params: Any) -> Any:
        try:
            return getattr(self.client, method)(TableName=self.table, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise InputError(f"cannot read the response journal {self.path}: {describe_error(exc)}") from None

    def case(self, case_id: str) -> dict[str, Any] | None:
        item = self._call("get_item", Key={"case_id": {"S": case_id}, "seq": {"S": CASE_SEQ}},
                          ConsistentRead=True).get("Item")
        if not item:
            return None
        return {"case_id": case_id, "playbook": _s(item, "playbook"), "target": _s(item, "target"),
                "region": _s(item, "region"), "account": _s(item, "account"), "created": _s(item, "created"),
                "status": _s(item, "status"), "plan": _json(_s(item, "plan")) or {},
                "execution": _s(item, "execution")}

    def steps(self, case_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"KeyConditionExpression": "case_id = :c",
                                  "ExpressionAttributeValues": {":c": {"S": case_id}}, "ConsistentRead": True}
        while True:
            page = self._call("query", **params)
            items += page.get("Items", [])
            if not page.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        rows = []
        for item in sorted(items, key=lambda i: _s(i, "seq") or ""):
            seq = _s(item, "seq")
            if seq == CASE_SEQ:
                continue
            # the machine keeps what later steps and undo need of each response ("Saved" marks a step done)
            outputs = {k: v for k, v in (_json(_s(item, "outputs")) or {}).items() if k != "Saved"}
            rows.append({"seq": seq, "step_id": _s(item, "step_id"), "title": _s(item, "title"),
                         "status": _s(item, "status"), "started": None, "finished": None,
                         "call": _json(_s(item, "call")), "request": _json(_s(item, "request")),
                         "before": _json(_s(item, "before")), "response": outputs or None,
                         "outputs": outputs, "error": _s(item, "error")})
        return rows

    def mark(self, case_id: str, seq: Any, status: str, *, request: Any = None, response: Any = None,
             outputs: Any = None, error: str | None = None) -> None:
        values: dict[str, Any] = {":s": {"S": status}}
        names = {"#s": "status"}  # status, request and error are DynamoDB reserved words: always aliased
        for name, value in (("request", request), ("outputs", outputs), ("error", error)):
            if value is not None:
                names[f"#{name}"] = name
                values[f":{name}"] = {"S": value if isinstance(value, str) else json.dumps(to_jsonable(value))}
        self._call("update_item", Key={"case_id": {"S": case_id}, "seq": {"S": str(seq)}},
                   UpdateExpression="SET " + ", ".join(f"{n} = :{n[1:]}" for n in names),
                   ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def set_case_status(self, case_id: str, status: str) -> None:
        self.mark(case_id, CASE_SEQ, status)

    def cases(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"FilterExpression": "seq = :c", "ExpressionAttributeValues": {":c": {"S": CASE_SEQ}}}
        while True:
            page = self._call("scan", **params)
            items += page.get("Items", [])
            if not page.get("LastEvaluatedKey"):
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        cases = [{"case_id": _s(i, "case_id"), "playbook": _s(i, "playbook"), "target": _s(i, "target"),
                  "region": _s(i, "region"), "created": _s(i, "created"), "status": _s(i, "status")} for i in items]
        return sorted(cases, key=lambda c: c["created"] or "")
