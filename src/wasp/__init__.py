"""wasp: the AWS Well-Architected Security Pillar, checked against real accounts, templates and logs."""

__version__ = "0.1.0"
