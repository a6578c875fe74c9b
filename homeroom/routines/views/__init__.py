"""The routines' pages, one module per routine. Each view asks people/access.py for what the
user may see and calls one routine."""
