"""The pipeline must read better than Apertium alone on typical school messages."""

import pytest

from homeroom.translation.phrasebook import phrases
from homeroom.translation.quality.score import load_examples, score

pytestmark = pytest.mark.django_db


def test_the_reference_set_is_large_and_mixed():
    examples = load_examples()
    assert len(examples) >= 50
    assert all(e.text and e.reference for e in examples)
    assert len({e.text for e in examples}) == len(examples)
    assert any(e.names for e in examples)


def test_the_pipeline_beats_apertium_alone(apertium):
    figures = score()

    assert figures["messages"] >= 50
    assert figures["pipeline"] > figures["apertium_alone"] + 10
    # Some messages come from the phrasebook and some do not; the gain is not only there.
    assert 10 <= figures["phrasebook_messages"]["count"] <= figures["messages"] - 25
    assert figures["other_messages"]["pipeline"] > figures["other_messages"]["apertium_alone"]
    assert len(phrases("es")) >= 100
