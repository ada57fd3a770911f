"""Models of the inbox capability."""
