"""Figures about relationships between schools and families.

Each figure is computed from rows the other apps already record (moments, messages,
weekly-update sentences, check-ins); nothing here writes. Views in the apps and on the home
pages read the figures from here, so each is defined once.
"""
