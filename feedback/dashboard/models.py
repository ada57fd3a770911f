"""Models of the dashboard capability."""
