"""Scenario files shipped with statecraft (TOML data; found with importlib.resources)."""
