"""Test-wide settings."""
from hypothesis import settings

# Derandomized: CI sees the same examples every run, so a failure always reproduces and no run is
# flaky; no example database is written into the checkout.
settings.register_profile("xl_tsd", deadline=None, derandomize=True, database=None)
settings.load_profile("xl_tsd")
