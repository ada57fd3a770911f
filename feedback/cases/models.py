"""Models of the cases capability."""
