"""Models of the classifier_admin capability."""
