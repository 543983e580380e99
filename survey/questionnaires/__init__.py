"""Questionnaire definitions: YAML -> validated, immutable, versioned ``Questionnaire``."""
