"""The registry of trademarks the bureaus protect."""
