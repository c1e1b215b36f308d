"""Settings of each optional feature, included when it is on (see config/settings/__init__.py)."""
