"""Meta-tests over the check registry: every check is well formed and mapped to real catalog ids."""

from __future__ import annotations

import re

from wasp.catalog import best_practices, cis_ids, fsbp_controls
from wasp.checks import all_checks
from wasp.model import Area

SHARED_RESPONSIBILITY_TASKS = {"facilities_hw", "guest_os", "platform_patch", "network", "iam", "in_service_auth",
                               "resource_policy", "enc_rest", "enc_transit", "keys", "data_class", "backup",
                               "logging", "app"}


def test_every_check_maps_to_existing_best_practices():
    """Each check names at least one Well-Architected best practice, and each named one exists."""
    catalog = best_practices()
    for chk in all_checks().values():
        assert chk.best_practices, chk.id
        for bp in chk.best_practices:
            assert bp in catalog, f"{chk.id}: unknown best practice {bp}"


def test_cis_and_fsbp_ids_exist():
    """Every CIS and FSBP id a check names is in the packaged catalogs."""
    cis, fsbp = cis_ids(), fsbp_controls()
    for chk in all_checks().values():
        for c in chk.cis:
            assert c in cis, f"{chk.id}: unknown CIS id {c}"
        for f in chk.fsbp:
            assert f in fsbp, f"{chk.id}: unknown FSBP id {f}"


def test_check_ids_are_unique_snake_case_and_metadata_complete():
    """Check ids are snake_case, titled, documented, with a remediation and a known responsibility task."""
    checks = all_checks()
    assert len(checks) == len({c.id for c in checks.values()})
    for chk in checks.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]+", chk.id), chk.id
        assert chk.title and chk.description, chk.id
        assert chk.remediation.text, chk.id
        assert isinstance(chk.area, Area)
        assert chk.task in SHARED_RESPONSIBILITY_TASKS, f"{chk.id}: task {chk.task}"
        assert "::" in chk.resource, chk.id
