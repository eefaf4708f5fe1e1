"""Dashboard, workflow picture, and what every page shares."""
