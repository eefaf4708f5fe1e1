"""Benchmark data: many realistic cases written in bulk (``flask bench-data``)."""
