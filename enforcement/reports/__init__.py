"""The public reporting portal: reports, their receipts and status, and abuse limits."""
