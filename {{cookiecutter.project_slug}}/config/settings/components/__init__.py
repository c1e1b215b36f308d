"""Settings of each concern, included by base.py in the order listed at its end."""
