"""The JSON API under /api/v1 (DESIGN §10), sharing the services of the web UI."""
