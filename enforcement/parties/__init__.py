"""Parties to cases: the persons and organisations suspected of infringement."""
