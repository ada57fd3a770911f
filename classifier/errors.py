"""Exceptions the classifier raises on purpose."""


class ModelError(Exception):
    """A model directory is missing, corrupt, tampered with or built by other library versions."""


class InvalidText(TypeError):
    """predict() was given something that is not a str (None, bytes, a number...)."""
