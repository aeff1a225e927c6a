"""CloudTrail detective engine: ingest into DuckDB, Sigma detections, investigation, delivery, Spark for scale."""
