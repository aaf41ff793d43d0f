"""Crestline: run a top-down B2B sales strategy from the data your team already has."""

__version__ = "0.1.0"
