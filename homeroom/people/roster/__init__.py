"""Roster import from the SIS (OneRoster 1.1 CSV); `importer` tells how the passes run.

`bundle` reads the files, `checks` checks every row and reference, `scope` compares the
bundle with what the district holds, `contacts` reads phones and e-mails, `writer` saves it.
"""

from .importer import import_roster

__all__ = ["import_roster"]
