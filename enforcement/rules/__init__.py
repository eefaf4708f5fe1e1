"""Legal rules kept as dated data (DESIGN §4), and what cases applied."""
