"""Evidence files attached to cases."""
