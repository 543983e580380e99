"""The reports people read: one report model of a unit, rendered as HTML and as PDF.

``model`` builds a report (a list of typed sections) from the engine's suppressed
frames; ``html`` and ``pdf`` draw it and compute nothing. Like ``survey.reports``,
this package only reads (an import-linter contract says so).
"""
