"""wasp's rule language: YAML rule files judged by a three-valued condition tree (see docs/rules.md)."""
