"""Cases: from a registered report to a closed file."""
