"""Reusable code for the genre-classification tutorial notebooks."""
