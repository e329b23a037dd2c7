"""Benchmark commands of the portal (docs/performance.md)."""
