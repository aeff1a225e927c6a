"""Crash safety: a scan, a CloudTrail ingest or a playbook killed with SIGKILL midway leaves a consistent store,
never passes a partial result off as complete, and a rerun completes without duplicates.

The kill points are chosen deterministically where they can be: a small HTTP relay between wasp and the
moto server kills the wasp process on the Nth AWS call (before it is sent, or after AWS answered but
before wasp could journal it); the store is watched for wasp's write lock to kill it while saving.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from wasp.respond.journal import Journal
from wasp.store import Store

SRC = Path(__file__).resolve().parents[2] / "src"
SERVICES = "iam,s3"


def _wasp(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "wasp", *map(str, args)], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(*args: object, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wasp", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def _killed(proc: subprocess.Popen[str]) -> None:
    """The process ended by our SIGKILL (not by finishing first, which would make the test prove nothing)."""
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, f"exit {proc.returncode}: {err[-1500:]}"


class Relay:
    """An HTTP relay to the moto server that records each AWS action and can SIGKILL the caller on one."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.actions: list[str] = []
        self.victim: subprocess.Popen[str] | None = None
        self.rule: Callable[[str, int], str | None] = lambda action, n: None  # -> "before" | "after" | None
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = relay.action(self.command, self.path, self.headers, body)
                with relay.lock:
                    relay.actions.append(action)
                    when = relay.rule(action, relay.actions.count(action))
                if when == "before":
                    relay.kill()
                    return
                con = http.client.HTTPConnection(relay.host, relay.port, timeout=60)
                con.request(self.command, self.path, body=body, headers=dict(self.headers))
                resp = con.getresponse()
                data = resp.read()
                con.close()
                if when == "after":  # AWS acted; the caller never learns it
                    relay.kill()
                    return
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def action(method: str, path: str, headers: Any, body: bytes) -> str:
        target = headers.get("X-Amz-Target")
        if target:
            return target.rsplit(".", 1)[-1]
        if body.startswith(b"Action=") or b"&Action=" in body:
            return parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
        return f"{method} {path.split('?')[0]}"

    def kill(self) -> None:
        if self.victim is not None:
            os.kill(self.victim.pid, signal.SIGKILL)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def relay(moto: Any) -> Any:
    r = Relay(moto.url)
    yield r
    r.close()


def _seed_account(aws: Any) -> None:
    """Enough IAM users and buckets for a scan with a few hundred findings."""
    iam, s3 = aws.client("iam", "us-east-1"), aws.client("s3", "us-east-1")
    for i in range(15):
        iam.create_user(UserName=f"user-{i}")
        iam.create_access_key(UserName=f"user-{i}")
        s3.create_bucket(Bucket=f"bucket-{i}")


def _store_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in ("scans", "findings", "resources")}


def _assert_no_duplicates(db: Path) -> None:
    """No scan holds the same finding or resource twice."""
    with duckdb.connect(str(db), read_only=True) as con:
        dup_f = con.execute("SELECT scan_id, finding_id, count(*) FROM findings GROUP BY ALL HAVING count(*) > 1")
        assert dup_f.fetchall() == []
        dup_r = con.execute("SELECT scan_id, resource_key, count(*) FROM resources GROUP BY ALL HAVING count(*) > 1")
        assert dup_r.fetchall() == []


def test_scan_killed_while_collecting_is_recorded_incomplete_and_rerun_is_whole(aws, moto, relay, tmp_path):
    """A live scan SIGKILLed mid-collection leaves only its scan row, shown incomplete; a rerun stores one whole
    scan, and its diff baseline is never the killed one."""
    _seed_account(aws)
    db = tmp_path / "wasp.duckdb"
    relay.rule = lambda action, n: "before" if len(relay.actions) == 25 else None  # 25th AWS call: mid-collection
    relay.victim = proc = _wasp("scan", "--endpoint-url", relay.url, "--regions", "us-east-1", "--services",
                                SERVICES, "--db", db, "--output", "json")
    _killed(proc)
    [killed] = Store(db).scans()
    assert killed.state == "incomplete" and "ended before the scan finished" in killed.state_reason
    rows = _store_rows(db)
    assert len(rows["scans"]) == 1 and rows["findings"] == [] and rows["resources"] == []  # what is kept
    report = _run("report", killed.scan_id, "--db", db, "--output", "json")  # named, a killed scan still reports
    assert report.returncode == 0 and "incomplete" in json.loads(report.stdout)["scan"]["errors"][-1]
    default = _run("report", "--db", db, "--output", "json")  # but it is never the default scan
    assert default.returncode == 2 and "Traceback" not in default.stderr

    done = _run("scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", SERVICES, "--db", db,
                "--output", "json")
    assert done.returncode == 0, done.stderr[-1500:]
    fresh = json.loads(done.stdout)
    store = Store(db)
    by_state = {s.state: s for s in store.scans()}
    assert set(by_state) == {"incomplete", "complete"}
    assert sum(by_state["complete"].counts.values()) == len(fresh["findings"]) > 100
    assert store.previous(by_state["complete"].scan_id) is None  # the killed scan is no baseline
    _assert_no_duplicates(db)


def _kill_while_saving(proc: subprocess.Popen[str], db: Path, episode: int, scans_before: int,
                       timeout: float = 120, delay: float = 0.0) -> None:
    """SIGKILL the scan ``delay`` seconds into its ``episode``-th hold of the store's write lock after its scan row
    exists (a save holds one connection: resources, gaps, findings and the final state update, each committed)."""
    deadline = time.monotonic() + timeout
    row_seen, locked, seen = False, False, 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                count = con.execute("SELECT count(*) FROM scans").fetchone()[0]  # type: ignore[index]
            row_seen = row_seen or count > scans_before  # this scan's own row, not an earlier killed one's
            locked = False
        except duckdb.Error as exc:
            if row_seen and "lock" in str(exc).lower() and not locked:
                locked, seen = True, seen + 1
                if seen == episode:
                    time.sleep(delay)
                    os.kill(proc.pid, signal.SIGKILL)
                    return
        time.sleep(0.001)
    pytest.fail(f"the scan finished before it could be caught saving (lock episodes seen: {seen})")


@pytest.mark.slow
def test_scan_killed_while_saving_never_looks_complete_or_becomes_a_baseline(aws, moto, tmp_path):
    """A live scan SIGKILLed while it writes the store (as its save takes the write lock, then 50 ms into it) is
    incomplete, or complete and whole if the kill came after its last commit; the next scan compares against the
    last complete scan, so nothing looks fixed."""
    _seed_account(aws)
    db = tmp_path / "wasp.duckdb"
    args = ("scan", "--endpoint-url", moto.url, "--regions", "us-east-1", "--services", SERVICES, "--db", db,
            "--output", "json")
    first = _run(*args)
    assert first.returncode == 0, first.stderr[-1500:]
    full = len(json.loads(first.stdout)["findings"])
    store = Store(db)
    complete = store.scans()[0].scan_id
    for delay in (0.0, 0.05):
        scans_before = len(store.scans())
        proc = _wasp(*args)
        _kill_while_saving(proc, db, 1, scans_before, delay=delay)
        _killed(proc)
        killed = store.scans()[0]
        n = sum(killed.counts.values())
        # incomplete may hold every finding (killed before the final update committed): it still says incomplete
        assert (killed.state == "incomplete" and n <= full) or (killed.state == "complete" and n == full), killed
        if killed.state == "incomplete":
            assert any("is incomplete" in e for e in store.load(killed.scan_id).errors)
        else:
            complete = killed.scan_id
    last = _run(*args)
    assert last.returncode == 0, last.stderr[-1500:]
    latest = store.scans()[0]
    assert latest.state == "complete" and sum(latest.counts.values()) == full
    assert store.previous(latest.scan_id) == complete  # the last complete scan, never a killed one
    diff = json.loads(_run("diff", "--db", db, "--output", "json").stdout)
    assert diff["new"] == [] and diff["fixed"] == []  # nothing changed in the account
    _assert_no_duplicates(db)


# ---- CloudTrail ingest --------------------------------------------------------------------------------------

def _write_logs(folder: Path, files: int, per_file: int) -> int:
    """JSON-lines CloudTrail files (uncompressed, so the batches are many MB), plus one file repeating events
    of the first: the store must keep each eventID once."""
    folder.mkdir()
    for f in range(files):
        lines = []
        for i in range(per_file):
            n = f * per_file + i
            lines.append(json.dumps({
                "eventVersion": "1.08", "eventID": f"00000000-0000-4000-8000-{n:012d}",
                "eventTime": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1",
                "sourceIPAddress": f"10.0.{n % 250}.{n % 200}", "userAgent": "aws-cli/2.15",
                "userIdentity": {"type": "AssumedRole", "accessKeyId": "ASIAEXAMPLE",
                                 "arn": f"arn:aws:sts::123456789012:assumed-role/app/s{n % 50}"},
                "requestParameters": {"bucketName": "data", "key": f"obj/{n}"},
                "recipientAccountId": "123456789012", "eventType": "AwsApiCall"}))
        (folder / f"part-{f:04d}.json").write_text("\n".join(lines) + "\n")
    first = (folder / "part-0000.json").read_text()
    (folder / "zz-redelivered.json").write_text(first)
    return files * per_file


def _events(db: Path) -> tuple[int, int, list[tuple[Any, ...]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT event_id) FROM trail_events").fetchone()  # type: ignore[misc]
        files = con.execute("SELECT f.path, f.events, (SELECT count(*) FROM trail_events e WHERE e.file = f.path) "
                            "FROM trail_files f WHERE f.status = 'ok'").fetchall()
    return int(total), int(distinct), files


def test_trail_ingest_killed_midway_keeps_whole_files_and_rerun_dedupes(tmp_path):
    """An ingest SIGKILLed after its first batch committed keeps whole files only; the rerun reads the rest and
    the store holds every eventID exactly once."""
    logs = tmp_path / "logs"
    expected = _write_logs(logs, files=100, per_file=1000)  # ~50 MB: two 32 MB batches
    db = tmp_path / "trail.duckdb"
    proc = _wasp("trail", "ingest", logs, "--events", db, "--output", "json", "--batch-mb", "32")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        wal = db.with_name(db.name + ".wal")
        if wal.exists() and wal.stat().st_size > 2**20:  # batch 1 committed (checkpointed), batch 2 being logged
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    _killed(proc)
    total, distinct, files = _events(db)
    assert 0 < total < expected and total == distinct  # midway, and no duplicate
    assert all(recorded == stored for _, recorded, stored in files)  # a file marked read holds all its events
    rerun = _run("trail", "ingest", logs, "--events", db, "--output", "json")
    assert rerun.returncode == 0, rerun.stderr[-1500:]
    summary = json.loads(rerun.stdout)
    assert summary["files_unchanged"] == len(files) and summary["events_in_store"] == expected
    total, distinct, _ = _events(db)
    assert total == distinct == expected
    again = json.loads(_run("trail", "ingest", logs, "--events", db, "--output", "json").stdout)
    assert again["events_added"] == 0 and again["events_in_store"] == expected


# ---- incident response playbooks ----------------------------------------------------------------------------

def _instance(aws: Any) -> tuple[str, str]:
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda", BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}])["ImageId"]
    iid = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet,
                            SecurityGroupIds=[sg])["Instances"][0]["InstanceId"]
    return iid, vpc


def _groups(aws: Any, case: str) -> list[str]:
    groups = aws.client("ec2", "us-east-1").describe_security_groups()["SecurityGroups"]
    return sorted(g["GroupName"] for g in groups if case in g["GroupName"])


WRITES = {"CreateTags", "ModifyInstanceAttribute", "CreateSnapshot", "CreateSecurityGroup",
          "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupEgress"}


@pytest.mark.parametrize("when", ["before", "after"])
def test_playbook_killed_midway_resumes_without_repeating_a_step(aws, moto, relay, tmp_path, when):
    """contain-instance SIGKILLed at its second CreateSecurityGroup (before it is sent, or after AWS made the
    group but before the journal knew) leaves the case open; resume finishes it, repeating no completed step
    and creating no second group."""
    iid, _ = _instance(aws)
    db, case = tmp_path / "wasp.duckdb", f"case-crash-{when}"
    relay.rule = lambda action, n: when if action == "CreateSecurityGroup" and n == 2 else None
    relay.victim = proc = _wasp("respond", "contain-instance", "--target", iid, "--apply", "--yes", "--case", case,
                                "--endpoint-url", relay.url, "--region", "us-east-1", "--db", db)
    _killed(proc)
    journal = Journal(db)
    assert journal.case(case)["status"] == "open"  # never "contained" with steps missing
    steps = {s["step_id"]: s["status"] for s in journal.steps(case)}
    assert steps["untrack-sg"] == "done" and steps["quarantine-sg"] == "running" and steps["isolate"] == "pending"
    done_before = [s for s, state in steps.items() if state == "done"]
    writes_before = [a for a in relay.actions if a in WRITES]

    relay.rule, relay.victim, relay.actions = (lambda action, n: None), None, []
    resumed = _run("respond", "resume", case, "--endpoint-url", relay.url, "--region", "us-east-1", "--db", db)
    assert resumed.returncode == 0, resumed.stderr[-1500:]
    writes_after = [a for a in relay.actions if a in WRITES]
    assert journal.case(case)["status"] == "contained"
    assert {s["status"] for s in journal.steps(case)} == {"done"}
    # two groups were created over both runs: the call killed "before" never reached AWS and is made on resume;
    # the one killed "after" reached AWS, and resume finds the group instead of making a second one
    reached_aws = writes_before.count("CreateSecurityGroup") - (1 if when == "before" else 0)
    assert reached_aws + writes_after.count("CreateSecurityGroup") == 2
    assert writes_after.count("CreateSecurityGroup") == (1 if when == "before" else 0)
    assert writes_after.count("CreateTags") == 0 and len(done_before) >= 2
    assert _groups(aws, case) == [f"wasp-quarantine-{case}", f"wasp-untrack-{case}"]
    instance = aws.client("ec2", "us-east-1").describe_instances(InstanceIds=[iid])
    [group] = instance["Reservations"][0]["Instances"][0]["SecurityGroups"]
    assert group["GroupName"] == f"wasp-quarantine-{case}"


def test_case_opened_by_a_killed_process_is_whole_or_absent(tmp_path):
    """A process killed while it journals a new case leaves either no case or the case with every planned step,
    never a case whose missing steps `resume` would silently skip."""
    db = tmp_path / "journal.duckdb"
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(SRC)!r})
        from wasp.respond.journal import Journal
        from wasp.respond.plan import Call, Plan, Step
        journal = Journal(__import__("pathlib").Path({str(db)!r}))
        steps = [Step(id=f"s{{i}}", title=f"step {{i}}", call=Call("ec2", "create_tags", {{"Resources": [str(i)]}},
                                                                       "ec2:CreateTags")) for i in range(3000)]
        plan = Plan(playbook="synthetic", target="i-1", region="us-east-1", steps=steps)
        print("opening", flush=True)
        journal.open_case("case-big", plan, "123456789012")
        print("opened", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "opening", proc.stderr.read() if proc.stderr else ""
    time.sleep(0.3)
    proc.kill()
    _killed(proc)
    journal = Journal(db)
    if journal.case("case-big") is not None:
        assert len(journal.steps("case-big")) == 3000


def test_playbook_waits_for_a_reader_of_its_store_instead_of_crashing(aws, moto, relay, tmp_path):
    """A playbook whose store is held open by a reader (`wasp history`, the dashboard) waits for it and
    finishes, rather than dying with a lock error."""
    iid, _ = _instance(aws)
    db, case = tmp_path / "wasp.duckdb", "case-reader"
    Journal(db)  # the store exists, as it does once wasp has run
    reader = duckdb.connect(str(db), read_only=True)
    try:
        proc = _wasp("respond", "contain-instance", "--target", iid, "--apply", "--yes", "--case", case,
                     "--endpoint-url", relay.url, "--region", "us-east-1", "--db", db)
        deadline = time.monotonic() + 60
        while "DescribeInstances" not in relay.actions and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(2.0)  # planning is done by now: the playbook wants its journal
        assert proc.poll() is None, proc.communicate()[1][-1500:]  # waiting, not crashed
        assert not WRITES & set(relay.actions)  # and nothing was done in AWS without a journal
    finally:
        reader.close()
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-1500:]
    assert Journal(db).case(case)["status"] == "contained"
