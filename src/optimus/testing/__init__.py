"""Helpers shipped for rule authors: the golden fixture harness (see harness.py)."""
