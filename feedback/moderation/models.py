"""Models of the moderation capability."""
