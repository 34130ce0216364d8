"""Tests of the link checker (archkb.linkcheck)."""
