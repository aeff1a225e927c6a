"""Output safety: hostile text from AWS is neutralised in every report format, and secrets never appear in clear.

Resource names, tags, descriptions, reasons and policy text are chosen by whoever controls the account.
Each format is checked the way its reader consumes it: HTML by an HTML parser, Markdown by a CommonMark
renderer, CSV by a CSV reader, SARIF/JSON by a JSON parser, JUnit by an XML parser, and every format
as bytes printed to a terminal (no ESC, BEL, BS, lone CR, C1 or bidi control survives).
"""

from __future__ import annotations

import copy
import csv
import html.parser
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import duckdb
import pytest
from markdown_it import MarkdownIt

from helpers import lambda_function, live_scan
from report.report_samples import ACCOUNT, synthetic_result
from wasp.model import Finding, Gap, Inventory, Remediation, Resource, Status
from wasp.report import FORMATS, render
from wasp.report.csv_report import COLUMNS
from wasp.store import Store

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MD_LINK = "[click](javascript:alert(1))"
MD_TABLE = "pipe|cell|`tick`*star*"
ESC_COLOUR = "\x1b[31mRED\x1b[0m"
OSC8 = "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07"
TITLE = "\x1b]0;pwned title\x07"
CR = "safe\rEVIL overwrite"
BACKSPACE = "abc\x08\x08\x08xyz"
BIDI = "invoice\u202egnp.exe"
C1_CSI = "c1\x9b31mred"
FORMULA = "=cmd|' /C calc'!A0"
FORGED_LINE = "x\nCRITICAL forged_check  everything is fine"
HOSTILE = [SCRIPT, IMG, MD_LINK, MD_TABLE, ESC_COLOUR, OSC8, TITLE, CR, BACKSPACE, BIDI, C1_CSI, FORMULA,
           FORGED_LINE]
# characters that must never reach a terminal raw, from any format (CR only as part of a CSV line end)
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def _hostile_result() -> Any:
    """A synthetic scan plus one failing, one muted and one unknown finding whose every AWS field is hostile."""
    result = synthetic_result(40)
    template = next(f for f in result.findings if f.status is Status.FAIL)
    extra: list[Finding] = []
    for i, text in enumerate(HOSTILE):
        res = Resource.of("AWS::S3::Bucket", f"id-{i}-{text}", name=text, arn=f"arn:aws:s3:::{text}",
                          account=ACCOUNT, region="us-east-1", tags={text: text, "Description": text})
        f = copy.deepcopy(template)
        f.resource, f.reason, f.evidence = res, f"bucket policy says {text}", {"policy": text, "name": text}
        f.remediation = Remediation(text=f"fix {text}", cli=f"aws s3 fix --bucket {text}")
        f.status = [Status.FAIL, Status.UNKNOWN, Status.FAIL][i % 3]
        if i % 3 == 2:
            f.muted, f.mute_reason = True, f"accepted: {text}"
        extra.append(f)
    result.findings = extra + result.findings
    gaps = [Gap(service="s3", region="us-east-1", types=("AWS::S3::Bucket",), reason=f"AccessDenied {t}",
                account=ACCOUNT, action="s3:GetBucketPolicy") for t in HOSTILE]
    result.inventory = Inventory([*result.inventory, *(f.resource for f in extra)], gaps)
    result.errors = [f"input error: {t}" for t in HOSTILE]
    return result


@pytest.fixture(scope="module")
def hostile() -> Any:
    return _hostile_result()


@pytest.fixture(scope="module")
def outputs(hostile: Any) -> dict[str, str]:
    out = {fmt: render(hostile, fmt) for fmt in FORMATS}
    out["terminal-colour"] = render(hostile, "terminal", color=True)
    return out


@pytest.mark.parametrize("fmt", [*FORMATS, "terminal-colour"])
def test_no_format_carries_a_raw_control_or_bidi_character(outputs, fmt):
    """No format, printed to a terminal, carries ESC, BEL, BS, a lone CR, a C1 control or a bidi override raw."""
    text = outputs[fmt]
    if fmt == "terminal-colour":  # wasp's own colour codes (SGR, ESC [ ... m) are the only escapes allowed
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    hits = sorted({repr(m.group()) for m in RAW.finditer(text)})
    assert hits == [], f"{fmt} lets through {hits}"


def test_terminal_shows_hostile_text_inert_and_on_one_line(outputs):
    """The terminal report shows escapes as visible text (\\x1b, \\u202e); a newline in a name cannot forge a line."""
    for text in (outputs["terminal"], outputs["terminal-colour"]):
        assert "\\x1b[31mRED" in text and "\\x1b]8;;http://evil.example/\\x07link" in text
        assert "\\x1b]0;pwned title\\x07" in text and "safe\\x0dEVIL" in text and "abc\\x08" in text
        assert "invoice\\u202egnp.exe" in text and "c1\\x9b31mred" in text
        assert not any(line.lstrip().startswith("CRITICAL forged_check") for line in text.splitlines())
        assert "x\\x0aCRITICAL forged_check" in text
    assert "\x1b]" not in outputs["terminal-colour"] and "\x07" not in outputs["terminal-colour"]


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_html_holds_no_injected_element_attribute_or_link(outputs):
    """In HTML no hostile name becomes an element, an event handler or a javascript: link; the data keeps the text."""
    page = outputs["html"]
    parser = _Tags()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    assert names.count("script") == 2 and "img" not in names
    attrs = [(k, v or "") for _, a in parser.tags for k, v in a]
    assert not [k for k, _ in attrs if k.startswith("on")]
    assert not [v for _, v in attrs if "javascript:" in v.lower()]
    start = page.index('<script type="application/json" id="wasp-data">')
    data = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    names_in_data = {row[2] for row in data["resources"]}
    assert {SCRIPT, IMG, MD_LINK, FORMULA} <= names_in_data
    assert "invoice\\u202egnp.exe" in names_in_data  # shown as a visible escape, not as the override
    assert "AccessDenied \\x1b[31mRED" in page  # server-rendered gap reasons too


def test_markdown_renders_without_markup_links_or_broken_tables(outputs):
    """Rendered as GitHub-flavoured Markdown, hostile names make no HTML, no link and no extra table cell."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(outputs["markdown"])
    rendered = md.render(outputs["markdown"])
    assert "<script" not in rendered and "<img" not in rendered and 'href="javascript' not in rendered
    assert not [t for t in tokens if t.type == "link_open"]
    assert not [t for t in tokens if t.type in ("html_inline", "html_block")]
    widths: list[set[int]] = []  # per table: the cell counts of its rows (header included)
    for t in tokens:
        if t.type == "table_open":
            widths.append(set())
        elif t.type == "tr_open":
            count = 0
        elif t.type in ("td_open", "th_open"):
            count += 1
        elif t.type == "tr_close":
            widths[-1].add(count)
    assert widths and all(len(w) == 1 for w in widths), widths
    failing = outputs["markdown"].split("## Failing", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in failing.splitlines() if line.startswith("| ")]
    assert rows and {len(re.findall(r"(?<!\\)\|", r)) for r in rows} == {7}  # 6 cells, 7 unescaped pipes
    assert "invoice\\\\u202egnp.exe" in failing  # markdown-escaped backslash: renders as invoice\\u202egnp.exe


def test_csv_defuses_formulas_and_keeps_one_row_per_finding(outputs, hostile):
    """CSV parses to one full row per finding, and no cell starts a spreadsheet formula."""
    rows = list(csv.reader(io.StringIO(outputs["csv"], newline="")))
    assert rows[0] == list(COLUMNS) and len(rows) == len(hostile.findings) + 1
    assert all(len(r) == len(COLUMNS) for r in rows)
    assert not [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = {r[COLUMNS.index("resource_name")] for r in rows}
    assert "'" + FORMULA in names and SCRIPT in names


def test_sarif_and_junit_are_well_formed_and_keep_the_text(outputs):
    """SARIF parses as JSON with the hostile reasons intact; JUnit parses as XML 1.0 with them shown as escapes."""
    sarif = json.loads(outputs["sarif"])
    messages = " ".join(r["message"]["text"] for r in sarif["runs"][0]["results"])
    assert SCRIPT in messages and ESC_COLOUR in messages  # JSON escapes \x1b; the value is exact
    root = ET.fromstring(outputs["junit"].encode("utf-8"))
    messages = " ".join(n.get("message", "") for tag in ("failure", "error", "skipped") for n in root.iter(tag))
    assert SCRIPT in messages and "\\x1b[31mRED" in messages and "\x1b" not in messages


@pytest.mark.parametrize("fmt", ["json", "ocsf", "asff"])
def test_json_formats_keep_exact_values_escaped(outputs, fmt):
    """JSON, OCSF and ASFF parse and return every hostile name exactly, though the file holds it escaped."""
    strings = set(_strings(json.loads(outputs[fmt])))
    for value in (SCRIPT, IMG, ESC_COLOUR, OSC8, BIDI, C1_CSI):
        assert any(value in s for s in strings), (fmt, value)


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# ---- secrets found in resources are redacted everywhere -------------------------------------------------------

FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documentation example, well-formed
FAKE_PASSWORD = "Tr0ub4dor-and-3-horses-9x"


def _clear_fragments() -> list[str]:
    """The secrets and their halves: a truncated secret is still a leak."""
    out = []
    for value in (FAKE_SECRET, FAKE_PASSWORD):
        out += [value, value[:14], value[-14:]]
    return out


def _seed_secrets(aws: Any) -> None:
    """A Lambda function, an EC2 instance and a CloudFormation stack, each holding the secrets in clear."""
    lambda_function(aws, "leaky", role="fn-role", region="us-east-1", Description=f"{SCRIPT} {ESC_COLOUR}",
                    Environment={"Variables": {"AWS_SECRET_ACCESS_KEY": FAKE_SECRET, "DB_PASSWORD": FAKE_PASSWORD}})
    ec2 = aws.client("ec2", "us-east-1")
    images = ec2.describe_images(Owners=["amazon"])["Images"]
    ec2.run_instances(ImageId=images[0]["ImageId"] if images else "ami-12c6146b", MinCount=1, MaxCount=1,
                      UserData=f"#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY={FAKE_SECRET}\n"
                               f"export DB_PASSWORD={FAKE_PASSWORD}\n",
                      TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": IMG}]}])
    aws.client("cloudformation", "us-east-1").create_stack(
        StackName="leaky-stack", Parameters=[{"ParameterKey": "DbPassword", "ParameterValue": FAKE_PASSWORD}],
        TemplateBody=json.dumps({"Parameters": {"DbPassword": {"Type": "String"}},
                                 "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}))


def _store_texts(db: Path) -> list[str]:
    """Every value of every column of every table in the store, as text (DuckDB compresses its pages, so
    grepping the file alone could miss a stored value)."""
    texts = []
    with duckdb.connect(str(db), read_only=True) as con:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = ?", [table]).fetchall()]
            query = f"SELECT {', '.join(f'CAST({c} AS VARCHAR)' for c in cols)} FROM {table}"
            for row in con.execute(query).fetchall():
                texts.append(" ".join(str(v) for v in row))
    return texts


def test_secrets_in_resources_never_appear_in_reports_store_or_logs(aws, moto, tmp_path):
    """A live scan (with --debug) of resources holding a secret key and a password finds them, and no report
    format, JSON output, debug log, stored row or store file holds either value, whole or half."""
    _seed_secrets(aws)
    db = tmp_path / "wasp.duckdb"
    proc = subprocess.run([sys.executable, "-m", "wasp", "--debug", "scan", "--endpoint-url", moto.url,
                           "--regions", "us-east-1", "--services", "lambda,ec2,cloudformation,iam", "--db", str(db),
                           "--output", "json"], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "DEBUG" in proc.stderr  # debug logging was on, so the log check below means something
    scan = json.loads(proc.stdout)
    failed = {f["check_id"] for f in scan["findings"] if f["status"] == "FAIL"}
    assert {"lambda_function_environment_secrets", "ec2_instance_user_data_secrets",
            "cloudformation_stack_output_secrets"} <= failed
    texts = {"stdout (json)": proc.stdout, "stderr (debug log)": proc.stderr}
    stored = Store(db).load()
    fresh = live_scan(aws, services=["lambda", "ec2", "cloudformation", "iam"])  # `wasp scan --output F` path
    for fmt in FORMATS:
        texts[f"report {fmt} (from the store)"] = render(stored, fmt)
        texts[f"scan {fmt} (in memory)"] = render(fresh, fmt)
    texts["store rows"] = "\n".join(_store_texts(db))
    for path in tmp_path.iterdir():  # the DuckDB file and any WAL beside it, as bytes
        texts[f"file {path.name}"] = path.read_bytes().decode("latin-1")
    leaks = [(where, frag) for where, text in texts.items() for frag in _clear_fragments() if frag in text]
    assert leaks == []
    assert "[REDACTED 40 chars]" in texts["report json (from the store)"]
