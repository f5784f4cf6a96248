"""Sidebar widgets: each gets plain data (domain / core dataclasses) and emits signals; none knows the app."""
