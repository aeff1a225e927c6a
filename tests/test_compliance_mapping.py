"""The packaged FSBP -> NIST SP 800-53 r5 / PCI DSS mapping (catalog/data/fsbp_related.json) and its views.

Spot checks are values read from the AWS Security Hub CSPM control pages
(https://docs.aws.amazon.com/securityhub/latest/userguide/<service>-controls.html, "Related requirements"),
transcribed in tools/fsbp_related/notes.txt.
"""

from __future__ import annotations

import re

import pytest

from wasp.catalog import fsbp_controls, load
from wasp.compliance import FRAMEWORKS, framework_view, related, render_terminal, requirements
from wasp.model import Area, Finding, Remediation, Resource, Severity, Status

NIST_ID = re.compile(r"^[A-Z]{2}-\d+(\(\d+\))?$")
PCI_ID = re.compile(r"^\d+(\.\d+)+$")


def _count(key: str) -> int:
    return sum(1 for v in related().values() if v.get(key))


def test_every_fsbp_control_is_mapped_or_listed_unmapped_with_a_reason():
    """Mapped and unmapped controls are packaged FSBP controls and together account for all of them."""
    data = load("fsbp_related")
    mapped, unmapped = set(data["controls"]), set(data["unmapped"])
    assert mapped <= set(fsbp_controls()) and unmapped <= set(fsbp_controls())
    assert not mapped & unmapped and mapped | unmapped == set(fsbp_controls())
    assert all(reason for reason in data["unmapped"].values())


def test_mapping_counts_do_not_regress():
    """At least the controls mapped from the current pages stay mapped (NIST 255, PCI v4.0.1 114, v3.2.1 35)."""
    assert _count("nist_800_53_r5") >= 255
    assert _count("pci_dss_4_0_1") >= 114
    assert _count("pci_dss_3_2_1") >= 35


def test_requirement_ids_are_well_formed_and_framework_keys_known():
    """Every id is a NIST control (AC-2, SC-7(4)) or a PCI requirement number; keys are declared frameworks."""
    declared = set(load("fsbp_related")["frameworks"])
    for control, entry in related().items():
        assert set(entry) <= declared, control
        for key, ids in entry.items():
            pattern = NIST_ID if key == "nist_800_53_r5" else PCI_ID
            assert ids and all(pattern.match(i) for i in ids), (control, key, ids)


def test_every_mapped_control_names_its_source():
    """A mapped control cites its current Security Hub page, or says it kept the March 2023 guide's mapping."""
    provenance = load("fsbp_related")["provenance"]
    for control in related():
        source = provenance[control]
        from_page = source["source"] == "current page" and source["page"].startswith(
            "https://docs.aws.amazon.com/securityhub/latest/userguide/")
        assert from_page or source["source"].startswith("2023"), control


@pytest.mark.parametrize(("control", "key", "expected"), [
    # ecs-controls: [ECS.10] ... NIST.800-53.r5 SI-2(5), PCI DSS v4.0.1/6.3.3
    ("ECS.10", "nist_800_53_r5", {"SI-2", "SI-2(2)", "SI-2(4)", "SI-2(5)"}),
    ("ECS.10", "pci_dss_4_0_1", {"6.3.3"}),
    # iam-controls: [IAM.7] ... PCI DSS v4.0.1/8.3.6, 8.3.7, 8.3.9, 8.3.10.1, 8.6.3
    ("IAM.7", "pci_dss_4_0_1", {"8.3.6", "8.3.7", "8.3.9", "8.3.10.1", "8.6.3"}),
    # s3-controls: [S3.5] ... PCI DSS v3.2.1/4.1, PCI DSS v4.0.1/4.2.1
    ("S3.5", "pci_dss_3_2_1", {"4.1"}),
    ("S3.5", "pci_dss_4_0_1", {"4.2.1"}),
    # inspector-controls: [Inspector.3] PCI DSS v4.0.1/6.2.4, PCI DSS v4.0.1/6.3.1 (no NIST)
    ("Inspector.3", "pci_dss_4_0_1", {"6.2.4", "6.3.1"}),
    # dms-controls: [DMS.10] NIST.800-53.r5 AC-2, AC-3, AC-6, AC-17, IA-2, IA-5, PCI DSS v4.0.1/7.3.1
    ("DMS.10", "nist_800_53_r5", {"AC-2", "AC-3", "AC-6", "AC-17", "IA-2", "IA-5"}),
    ("DMS.10", "pci_dss_4_0_1", {"7.3.1"}),
    # neptune-controls: [Neptune.6] ... NIST.800-53.r5 SC-7(18)
    ("Neptune.6", "nist_800_53_r5", {"CA-9(1)", "CM-3(6)", "SC-13", "SC-28", "SC-28(1)", "SC-7(10)", "SC-7(18)"}),
])
def test_spot_checks_match_the_security_hub_control_pages(control, key, expected):
    """Mappings read from the pages (cited per case) are packaged exactly."""
    assert set(related()[control][key]) == expected


def test_controls_without_requirements_or_pages_carry_no_mapping():
    """GuardDuty.5 (page lists none) and Transfer.2 (page not found) are unmapped, not guessed; Inspector.1: no NIST."""
    unmapped = load("fsbp_related")["unmapped"]
    assert "lists no" in unmapped["GuardDuty.5"] and "not found" in unmapped["Transfer.2"]
    assert requirements(["GuardDuty.5"]) == {"fsbp": ["GuardDuty.5"]}
    assert "nist_800_53_r5" not in related()["Inspector.1"]


def _finding(check_id: str, status: Status, fsbp: list[str]) -> Finding:
    return Finding(check_id=check_id, title=check_id, status=status, severity=Severity.HIGH, area=Area.INFRASTRUCTURE,
                   resource=Resource.of("AWS::EKS::Cluster", "c", name="c"), reason="r",
                   remediation=Remediation(text="fix"), fsbp=fsbp)


def test_pci_dss_4_view_and_nist_view_cover_newly_mapped_controls():
    """EKS.1 (unmapped in 2023) now rolls up to PCI DSS v4.0.1 1.4.4 and NIST SC-7 from the packaged file."""
    assert FRAMEWORKS["pci-dss-4"] == ("pci_dss_4_0_1", "PCI DSS v4.0.1")
    assert FRAMEWORKS["pci-dss"][0] == "pci_dss_3_2_1"
    findings = [_finding("eks_endpoint_not_public", Status.FAIL, ["EKS.1"])]
    pci = {r.id: r for r in framework_view(findings, "pci-dss-4")}
    assert pci["1.4.4"].status == "FAIL" and "eks_endpoint_not_public" in pci["1.4.4"].checks
    nist = {r.id: r for r in framework_view(findings, "nist-800-53")}
    assert nist["SC-7"].status == "FAIL"
    text = render_terminal(list(pci.values()), "pci-dss-4")
    assert text.startswith("PCI DSS v4.0.1:") and "Security Hub CSPM control pages" in text
