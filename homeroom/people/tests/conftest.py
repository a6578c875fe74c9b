"""Fixtures the people tests share."""

import itertools

import pytest

from homeroom.people.models import RosterImport
from homeroom.people.roster import import_roster
from homeroom.testing.oneroster_factory import story_bundle, write_bundle


@pytest.fixture
def run(tmp_path):
    """Write a bundle to a fresh folder and import it."""
    folders = itertools.count()

    def _run(bundle, *, district=None, progress=None, **options) -> RosterImport:
        folder = write_bundle(tmp_path / f"bundle-{next(folders)}", bundle, **options)
        return import_roster(folder, district=district, progress=progress)

    return _run


@pytest.fixture
def lakeside(run):
    record = run(story_bundle())
    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    return record
