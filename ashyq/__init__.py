"""Ashyq: open election results, polling station by polling station.

The build flows one way: load → validate → model → checks → render → publish.
"""
