"""Publicity (公示): published penalty decisions, their redaction, take-down and exposure."""
