"""Survey models."""
