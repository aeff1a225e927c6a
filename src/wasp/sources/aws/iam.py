"""IAM users, groups, roles and policies (AWS::IAM::*), with credential-report facts in ``observed``."""

from __future__ import annotations
