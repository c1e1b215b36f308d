"""Settings of each concern, included by every environment (see config/settings/__init__.py)."""
