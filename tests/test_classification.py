"""Reading data classes from tags: one reading for the checks and the collectors, driven by Settings."""

from __future__ import annotations

from wasp.checks.context import Settings
from wasp.classification import classification, is_critical, is_sensitive


def test_tag_keys_match_case_insensitively_and_values_are_trimmed():
    """'dataclassification: " Secret "' is sensitive under the default Settings; 'public' is not."""
    assert classification({"dataclassification": " Secret "}) == " Secret "
    assert is_sensitive({"dataclassification": " Secret "}) is True
    assert is_sensitive({"DataClassification": "public"}) is False
    assert is_sensitive({}) is False and classification({}) is None


def test_criticality_follows_its_own_tag():
    """Criticality=high is critical; a sensitive class alone is not."""
    assert is_critical({"criticality": "HIGH"}) is True
    assert is_critical({"DataClassification": "secret"}) is False


def test_settings_name_other_keys_and_values():
    """Custom Settings replace the default key and values for both questions."""
    settings = Settings(classification_tag="tier", sensitive_values=("gold",), critical_tag="sla",
                        critical_values=("p1",))
    assert is_sensitive({"Tier": "Gold"}, settings) and not is_sensitive({"DataClassification": "secret"}, settings)
    assert is_critical({"SLA": "p1"}, settings) and not is_critical({"Criticality": "high"}, settings)
