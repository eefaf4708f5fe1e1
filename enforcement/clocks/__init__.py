"""Statutory clocks (期限) on a case."""
