"""Regeneration workflows: case data in, finished workbooks out (fill, extract, batch, upgrade, export)."""
