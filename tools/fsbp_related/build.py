"""Rebuild src/wasp/catalog/data/fsbp_related.json from notes.txt (transcribed Security Hub CSPM control pages).

Why a script: the mapping is data read by hand from AWS's control reference; keeping the transcription
(notes.txt, one line per control as the page printed it) and the merge rules here makes every entry of
the packaged file traceable to a page, and a later refresh a diff of notes.txt.

Merge rules (current page wins, nothing invented):
- a control whose current page was read: NIST and PCI DSS v4.0.1 ids are the page's; PCI DSS v3.2.1 ids are
  the page's when it lists them, else the 2023 guide's are kept (the v3.2.1 standard is retired; pages drop it);
- a control whose page shows no related requirements: no NIST/PCI 4.0.1 mapping, even if the 2023 guide had one
  (noted in ``changes``);
- a control whose current page could not be read: the 2023 entry is kept as it was (``source: 2023 guide``).

Run: python tools/fsbp_related/build.py   (from the repository root; prints a summary)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "wasp" / "catalog" / "data"
NOTES = Path(__file__).with_name("notes.txt")
BASE = Path(__file__).with_name("base_2023.json")  # the March 2023 extraction, as packaged before this refresh
READ_ON = "2026-12-05"
KEYS = {"N": "nist_800_53_r5", "P3": "pci_dss_3_2_1", "P4": "pci_dss_4_0_1"}


def _natural(req: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", req))


def parse_notes(text: str) -> dict[str, dict[str, object]]:
    """control -> {"page": url, "title": str, "N"/"P3"/"P4": [ids]} as transcribed."""
    out: dict[str, dict[str, object]] = {}
    page: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("page:"):
            _, url, title = (p.strip() for p in line[len("page:"):].split("|", 2))
            page = {"page": url, "title": title}
            continue
        control, *fields = (p.strip() for p in line.split("|"))
        entry: dict[str, object] = dict(page)
        for field in fields:
            if field == "-":
                continue
            tag, ids = field.split(":", 1)
            entry[tag.strip()] = [i.strip() for i in ids.split(",") if i.strip()]
        if control in out:
            raise SystemExit(f"{control} transcribed twice in notes.txt")
        out[control] = entry
    return out


def build() -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "src"))
    from wasp.catalog import fsbp_controls

    fsbp = set(fsbp_controls())
    old = json.loads(BASE.read_text(encoding="utf-8"))
    old_controls: dict[str, dict[str, list[str]]] = old["controls"]
    notes = parse_notes(NOTES.read_text(encoding="utf-8"))

    controls: dict[str, dict[str, list[str]]] = {}
    provenance: dict[str, dict[str, str]] = {}
    changes: dict[str, str] = {}
    for control in sorted(fsbp, key=_natural):
        before = old_controls.get(control, {})
        if control not in notes:
            if before:
                controls[control] = before
                provenance[control] = {"source": "2023 guide (current control page not found)"}
            continue
        page = notes[control]
        entry: dict[str, list[str]] = {}
        for tag, key in KEYS.items():
            ids = page.get(tag)
            if ids:
                entry[key] = sorted(dict.fromkeys(ids), key=_natural)  # type: ignore[arg-type]
        if "pci_dss_3_2_1" not in entry and before.get("pci_dss_3_2_1"):
            entry["pci_dss_3_2_1"] = before["pci_dss_3_2_1"]
        old_nist = sorted(before.get("nist_800_53_r5", []), key=_natural)
        new_nist = entry.get("nist_800_53_r5", [])
        if before and old_nist != new_nist:
            gone = sorted(set(old_nist) - set(new_nist), key=_natural)
            added = sorted(set(new_nist) - set(old_nist), key=_natural)
            changes[control] = (f"NIST per current page: removed {gone or 'none'}, added {added or 'none'}")
        old_p3 = before.get("pci_dss_3_2_1", [])
        if page.get("P3") and sorted(old_p3, key=_natural) != entry["pci_dss_3_2_1"]:
            changes[control] = changes.get(control, "") + f"; PCI 3.2.1 per current page (was {old_p3})"
        provenance[control] = {"source": "current page", "page": str(page["page"]), "title": str(page["title"])}
        if entry:
            controls[control] = entry
        else:
            provenance[control]["source"] = "current page: no related requirements listed"
    unmapped = {c: ("current control page lists no NIST SP 800-53 r5 or PCI DSS requirement"
                    if c in notes else "current control page not found in the reference corpus; no 2023 mapping")
                for c in sorted(fsbp - set(controls), key=_natural)}

    doc = {
        "source": ("AWS Security Hub CSPM user guide, control reference pages "
                   "(https://docs.aws.amazon.com/securityhub/latest/userguide/<service>-controls.html, "
                   f"'Related requirements' of each control), read {READ_ON} from stored copies of the pages; "
                   "earlier base: " + old["source"]),
        "license": ("2023 base: " + old["license"] + ". Current pages: published by AWS on docs.aws.amazon.com (the "
                    "guide's GitHub source, CC-BY-SA-4.0, was archived in 2023); only the requirement identifiers "
                    "each page lists are taken, as facts, with the page named per control under 'provenance'."),
        "attribution": ("Related requirements of each Security Hub control, transcribed from the AWS Security Hub "
                        f"CSPM user guide control pages as read on {READ_ON} (tools/fsbp_related/notes.txt), over the "
                        "March 2023 extraction from awsdocs/aws-security-hub-user-guide where a current page could "
                        "not be read. Compiled for wasp, unchanged in substance. Amazon Web Services licensed the "
                        "guide's source CC-BY-SA-4.0; this file is shared under the same license."),
        "retrieved": READ_ON,
        "limits": ("Only requirements the pages print are mapped: many newer controls list none, and pages list PCI "
                   "DSS v4.0.1 only for controls in that standard. PCI DSS v3.2.1 ids come from the current page "
                   "when it prints them, else from the March 2023 guide. Controls whose current page could not be "
                   "read keep their 2023 mapping (see provenance); controls listed in 'unmapped' carry none."),
        "frameworks": {"nist_800_53_r5": "NIST SP 800-53 Revision 5", "pci_dss_3_2_1": "PCI DSS v3.2.1",
                       "pci_dss_4_0_1": "PCI DSS v4.0.1"},
        "controls": controls,
        "provenance": provenance,
        "changes_from_2023": changes,
        "unmapped": unmapped,
    }
    return doc


def main() -> None:
    doc = build()
    old = json.loads(BASE.read_text(encoding="utf-8"))["controls"]
    (DATA / "fsbp_related.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    c = doc["controls"]
    for key in ("nist_800_53_r5", "pci_dss_3_2_1", "pci_dss_4_0_1"):
        before = sum(1 for v in old.values() if v.get(key))
        after = sum(1 for v in c.values() if v.get(key))  # type: ignore[union-attr]
        print(f"{key}: {before} -> {after} controls")
    print(f"mapped: {len(old)} -> {len(c)}; unmapped: {len(doc['unmapped'])}; changed: {len(doc['changes_from_2023'])}")


if __name__ == "__main__":
    main()
