"""Reports: read-only figures of closed campaigns, every one through ``suppress``."""
