"""Security tests: input, access matrix, headers."""
