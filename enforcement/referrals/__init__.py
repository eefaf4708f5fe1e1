"""Judicial referrals: transfers to the police and applications to courts."""
