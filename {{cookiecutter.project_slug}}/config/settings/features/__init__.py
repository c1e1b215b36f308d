"""Settings of each optional feature, included by base.py when the feature is on."""
