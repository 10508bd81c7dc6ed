"""Competencies: the framework (what can be known), the map (which statements are evidence).

Everything in this package is pure: it loads files at most, never touches Flask or a database.
"""
