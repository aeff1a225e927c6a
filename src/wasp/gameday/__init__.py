"""Game days: run attack-like API calls, then prove detection, posture, containment and cleanup work."""
