"""Organization scans on a Spark cluster: accounts are partitioned across executors.

Each executor assumes the organization role in its accounts and runs the same ``scan_account`` as the
local engine; findings come back as rows and are written as Parquet (one row per finding, the full
finding as JSON) beside ``organization.json``; ``result_from_parquet`` — and so ``wasp report --parquet``
and the store — read them back.
The driver's credentials are frozen and shipped with the tasks (short-lived when the driver uses a
role); executors reach the same endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import duckdb

from wasp.org.accounts import OrgAccount, Organization
from wasp.org.runner import AccountOutcome, OrgOptions


def _scan_partition(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str, str, str, str]]:
    """Runs on an executor: (kind, account, check_id, status, json) rows for its accounts."""
    import boto3

    from wasp.org.runner import scan_account
    from wasp.sources.aws.session import AwsTarget

    for task in rows:
        creds = task["credentials"]
        session = boto3.Session(aws_access_key_id=creds["access_key"], aws_secret_access_key=creds["secret_key"],
                                aws_session_token=creds.get("token"), region_name=task["region"])
        base = AwsTarget(session, endpoint_url=task["endpoint_url"],
                         fresh_credentials=bool(task.get("fresh_credentials")))
        org = Organization(**{**task["org"], "accounts": []})
        account = OrgAccount(**task["account"])
        opts = OrgOptions(**task["options"])
        outcome = scan_account(base, org, account, opts)
        meta = {"account": asdict(account), "error": outcome.error, "seconds": outcome.seconds,
                "regions": outcome.result.regions if outcome.result else [],
                "api_calls": sum(base.calls.values()),
                "gaps": [g.to_json() for g in outcome.result.gaps] if outcome.result else [],
                "org_resources": _org_resources(outcome.result.inventory) if outcome.result else []}
        yield ("account", account.id, "", "", json.dumps(meta, default=str))
        if outcome.result is not None:
            for f in outcome.result.findings:
                yield ("finding", account.id, f.check_id, f.status.value, json.dumps(f.to_json(), default=str))


ORG_CHECK_INPUTS = {"AWS::CloudTrail::Trail": ("TrailName", "S3BucketName", "IsOrganizationTrail",
                                                "IsMultiRegionTrail", "IsLogging"),
                    "AWS::S3::Bucket": ("BucketName",)}


def _org_resources(inventory: Any) -> list[dict[str, Any]]:
    """The few resources the organization checks read (trails, bucket names), shipped back with findings."""
    from wasp.model import to_jsonable

    out = []
    for type_, keys in ORG_CHECK_INPUTS.items():
        for r in inventory.of_type(type_):
            out.append({"type": r.type, "id": r.id, "name": r.name, "arn": r.arn, "account": r.account,
                        "region": r.region, "properties": to_jsonable({k: r.properties.get(k) for k in keys})})
    return out


def scan_org_spark(base: Any, org: Organization, accounts: list[OrgAccount], opts: OrgOptions, master: str,
                   out_dir: Path) -> Path:
    """Run the per-account scans as Spark tasks; returns the Parquet folder written."""
    import os
    import sys

    from pyspark.sql import SparkSession

    # Python workers must run the interpreter that has wasp installed (a cluster sets this itself)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    frozen = base.session.get_credentials().get_frozen_credentials()
    creds = {"access_key": frozen.access_key, "secret_key": frozen.secret_key, "token": frozen.token}
    org_meta = {"id": org.id, "management_account": org.management_account,
                "delegated_admins": org.delegated_admins, "scps_enabled": org.scps_enabled}
    tasks = [{"credentials": creds, "endpoint_url": base.endpoint_url, "region": base.region,
              "fresh_credentials": base.fresh_credentials, "org": org_meta,
              "account": asdict(a), "options": asdict(opts)} for a in accounts]
    running = SparkSession.getActiveSession()  # a notebook's (or a caller's) session is used, never stopped
    spark = (SparkSession.builder.master(master).appName("wasp-org-scan")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        slices = max(1, min(len(tasks), spark.sparkContext.defaultParallelism * 2))
        rdd = spark.sparkContext.parallelize(tasks, slices).mapPartitions(_scan_partition)
        frame = spark.createDataFrame(rdd, schema="kind string, account string, check_id string, status string, "
                                                  "payload string")
        out_dir.mkdir(parents=True, exist_ok=True)
        frame.write.mode("overwrite").parquet(str(out_dir))
    finally:
        if running is None:
            spark.stop()
    # the organization itself (accounts, OUs, SCP chains) and the options, so the folder alone can be reported
    (out_dir / ORG_FILE).write_text(json.dumps({"organization": asdict(org), "options": asdict(opts)}, default=str))
    return out_dir


ORG_FILE = "organization.json"


def result_from_parquet(path: Path) -> Any:
    """The organization's ScanResult rebuilt from a Parquet folder an ``--engine spark`` run wrote."""
    from datetime import UTC, datetime

    from wasp.errors import InputError
    from wasp.org.runner import combine

    meta_file = path / ORG_FILE
    if not meta_file.is_file() or not list(path.glob("*.parquet")):
        raise InputError(f"{path} is not the Parquet folder of `wasp scan --org --engine spark` "
                         f"(needs *.parquet and {ORG_FILE})")
    try:
        meta = json.loads(meta_file.read_text())
        org_data = meta["organization"]
        org = Organization(**{**org_data, "accounts": [OrgAccount(**a) for a in org_data["accounts"]]})
        opts = OrgOptions(**meta["options"])
        outcomes = outcomes_from_parquet(path)
    except (ValueError, KeyError, TypeError, duckdb.Error) as exc:
        raise InputError(f"cannot read the organization scan in {path}: {exc}") from None
    started = datetime.fromtimestamp(meta_file.stat().st_mtime, UTC)
    return combine(org, outcomes, opts, started, api_calls=sum(o.result.api_calls for o in outcomes if o.result))


def outcomes_from_parquet(path: Path) -> list[AccountOutcome]:
    """Each account's outcome (findings, gaps, the resources organization checks read) back from the Parquet
    an org scan wrote (DuckDB reads it directly)."""
    from wasp.model import Gap, Inventory, Resource
    from wasp.scan import ScanResult
    from wasp.store import finding_from_json

    con = duckdb.connect()
    rows = con.execute("SELECT kind, account, payload FROM read_parquet(?)", [str(path / "*.parquet")]).fetchall()
    findings_by: dict[str, list[Any]] = {}
    metas: dict[str, dict[str, Any]] = {}
    for kind, account, payload in rows:
        data = json.loads(payload)
        if kind == "account":
            metas[account] = data
        else:
            findings_by.setdefault(account, []).append(finding_from_json(data))
    outcomes = []
    for account, meta in sorted(metas.items()):
        acct = OrgAccount(**meta["account"])
        result = None
        if not meta["error"]:
            gaps = [Gap(g["service"], g["region"], tuple(g["resource_types"]), g["reason"], g.get("account", ""),
                        g.get("action", "")) for g in meta["gaps"]]
            resources = [Resource.of(d["type"], d["id"], name=d["name"], arn=d["arn"], account=d["account"],
                                     region=d["region"], properties=d["properties"])
                         for d in meta.get("org_resources", [])]
            result = ScanResult(findings=findings_by.get(account, []), inventory=Inventory(resources, gaps),
                                source="live", account=account, regions=meta["regions"],
                                api_calls=meta["api_calls"])
        outcomes.append(AccountOutcome(acct, result, meta["error"], meta["seconds"]))
    return outcomes
