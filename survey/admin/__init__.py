"""The staff area's own business: accounts, roles, sign-in and the audit log.

Nothing imports this package (an import-linter contract): it orchestrates the
others, the others never reach into it.
"""
