"""Demo data: the units, marks and users of DESIGN §1, and cases in every state."""
