"""Access Analyzer collector: an endpoint that fails yields Unknown with a one-line reason, per region."""

from __future__ import annotations

from wasp.model import Unknown
from wasp.sources.aws.collect import collect


def test_server_error_becomes_unknown_with_reason(aws):
    """moto fails ListAnalyzers (501 from wasp's emulator): AccessAnalyzers is Unknown, naming the call and status."""
    inv = collect(aws, ["us-east-1"], services=["accessanalyzer"]).inventory
    value = inv.of_type("WASP::Region")[0].properties["AccessAnalyzers"]
    assert isinstance(value, Unknown)
    assert "ListAnalyzers" in value.reason and "501" in value.reason and "\n" not in value.reason
    assert inv.gaps == []  # the failure is carried by the property, the rest of the scan is unaffected
