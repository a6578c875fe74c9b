"""Figures about relationships between schools and families.

Each figure is computed from rows the other apps already record (moments, messages,
weekly-update sentences, check-ins); the only rows written here are the daily roll-up of
those figures (facts.py, docs/insights.md). Views in the apps and on the home
pages read the figures from here, so each is defined once.
"""
