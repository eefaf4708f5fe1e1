"""Portal accounts: registration of rights holders and agents, and agents' mandates."""
