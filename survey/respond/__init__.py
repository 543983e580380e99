"""The respondent's flow: drafts, dynamic forms, anonymised storage."""
