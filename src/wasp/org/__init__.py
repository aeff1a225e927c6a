"""Organization-wide assessment: every account (and OU) of an AWS Organization in one run."""
