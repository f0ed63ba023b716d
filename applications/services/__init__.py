"""Writes that span models and have side effects. Each runs in one transaction."""
