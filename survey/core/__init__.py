"""Shared foundations: database base, typed errors, logging, the CLI root."""
