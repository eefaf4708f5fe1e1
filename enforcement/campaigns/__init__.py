"""专项执法行动 — special enforcement campaigns, their field work and the quarterly statistics."""
