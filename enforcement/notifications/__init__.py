"""Notifications to reporters and rights holders, and the holder's requests in the portal."""
