"""Fixtures the messaging tests share."""

import shutil

import pytest


@pytest.fixture
def apertium():
    if shutil.which("apertium") is None:
        pytest.fail("The apertium command is missing: install apertium-eng-spa.")
    return "apertium"
