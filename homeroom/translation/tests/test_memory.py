"""The translation memory: one query per batch, one engine call for the misses, corrections."""

import pytest

from homeroom.testing.fakes import CountingProvider
from homeroom.translation.models import MemoryEntry
from homeroom.translation.providers import memory as tm
from homeroom.translation.services import (
    TranslationUnavailable,
    correct,
    translate,
    translate_for_readers,
)

pytestmark = pytest.mark.django_db

_PLANTS = (
    "tomato pepper bean squash pumpkin melon carrot radish onion garlic lettuce spinach kale "
    "chard basil mint parsley cilantro dill sage thyme oregano chive fennel leek celery corn "
    "pea okra beet turnip potato yam cabbage broccoli cauliflower sprout cucumber zucchini "
    "eggplant artichoke asparagus sunflower daisy marigold tulip poppy lupine aster zinnia"
)
SENTENCES = [f"The garden club planted {plant} seeds this week." for plant in _PLANTS.split()]


def test_fifty_new_texts_cost_one_lookup_one_engine_call_and_one_insert(
    counting, django_assert_num_queries
):
    assert len(set(SENTENCES)) == 50
    # glossary, memory look-up, bulk insert, the engine's usage (one upsert)
    with django_assert_num_queries(4):
        results = translate(SENTENCES, "en", "es")

    assert len(counting.calls) == 1
    assert counting.calls[0][2] == SENTENCES
    assert [r.text for r in results] == [f"{s} (es)" for s in SENTENCES]
    assert MemoryEntry.objects.count() == 50
    assert all(r.machine and not r.human_checked for r in results)


def test_the_same_fifty_again_come_from_memory_without_the_engine(
    counting, django_assert_num_queries
):
    translate(SENTENCES, "en", "es")
    counting.reset()

    # glossary, memory look-up: no engine, no insert, no usage
    with django_assert_num_queries(2):
        results = translate(SENTENCES, "en", "es")

    assert counting.calls == []
    assert [r.text for r in results] == [f"{s} (es)" for s in SENTENCES]
    assert {r.provider for r in results} == {"counting"}


def test_only_the_misses_go_to_the_engine_and_duplicates_go_once(counting):
    translate(SENTENCES[:25], "en", "es")
    counting.reset()

    batch = SENTENCES + SENTENCES[30:35]
    results = translate(batch, "en", "es")

    assert len(counting.calls) == 1
    assert counting.calls[0][2] == SENTENCES[25:]
    assert len(results) == 55
    assert results[-1].text == f"{SENTENCES[34]} (es)"


def test_memory_is_per_language_pair(counting):
    translate(SENTENCES[:3], "en", "es")
    translate(SENTENCES[:3], "en", "vi")
    assert [call[1] for call in counting.calls] == ["es", "vi"]
    assert MemoryEntry.objects.filter(target_language="vi").count() == 3


def test_regional_tags_share_a_base_language(counting):
    translate(SENTENCES[:3], "en-US", "es-MX")
    counting.reset()
    results = translate(SENTENCES[:3], "en", "es")
    assert counting.calls == []
    assert results[0].target == "es"


def test_a_sentence_about_another_child_is_a_memory_hit(counting):
    translate(["Ana brought her library book back today."], "en", "vi", protect=["Ana Lopez"])
    counting.reset()

    (result,) = translate(
        ["Ben brought her library book back today."], "en", "vi", protect=["Ben Ali"]
    )

    assert counting.calls == []
    assert result.text == "Ben brought her library book back today. (vi)"


def test_another_worker_writing_the_same_row_first_is_harmless(settings):
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.translation.tests.test_memory.RacingProvider"]}
    (result,) = translate(["The bake sale starts at noon."], "en", "vi")
    assert result.text == "The bake sale starts at noon. (vi)"
    assert MemoryEntry.objects.count() == 1


class RacingProvider(CountingProvider):
    """Another worker stores the same translation while this one is still translating."""

    def translate_batch(self, texts, source, target):
        tm.remember([(t, f"{t} ({target})") for t in texts], source, target, "other-worker")
        return super().translate_batch(texts, source, target)


def test_a_person_s_correction_overrides_the_machine(counting, world):
    translate(["The bake sale starts at noon."], "en", "vi")
    entry = correct(
        "The bake sale starts at noon.",
        "en",
        "vi",
        "Hội chợ bánh bắt đầu lúc 12 giờ trưa.",
        by=world.interpreter.user,
    )
    counting.reset()

    (result,) = translate(["The  bake sale starts at noon. "], "en", "vi")

    assert result.text == "Hội chợ bánh bắt đầu lúc 12 giờ trưa."
    assert result.provider == "correction"
    assert result.human_checked is True
    assert result.machine is False
    assert counting.calls == []
    entry.refresh_from_db()
    assert entry.corrected_by == world.interpreter.user
    assert entry.corrected_at is not None
    assert entry.translated_text == "The bake sale starts at noon. (vi)"


def test_a_correction_with_names_serves_the_same_sentence_about_another_child(counting):
    correct(
        "Ana read three chapters this week.",
        "en",
        "vi",
        "Ana đã đọc ba chương trong tuần này.",
        protect=["Ana"],
    )

    (result,) = translate(["Cal read three chapters this week."], "en", "vi", protect=["Cal"])

    assert result.text == "Cal đã đọc ba chương trong tuần này."
    assert result.human_checked is True
    assert counting.calls == []


def test_a_correction_beats_the_phrasebook(counting):
    correct("Please call the office.", "en", "es", "Por favor, comuníquese con la oficina.")
    (result,) = translate(["Please call the office."], "en", "es")
    assert result.text == "Por favor, comuníquese con la oficina."
    assert result.provider == "correction"


def test_one_announcement_for_many_readers_is_translated_once_per_language(counting):
    languages = ["es", "es-MX", "vi", "ar", "so", "zh-Hans", "fr", "en", "en-US"]
    readers = [languages[i % len(languages)] for i in range(50_000)]

    out = translate_for_readers("The book fair opens on Monday morning.", "en", readers)

    assert len(counting.calls) == 6
    assert sorted(call[1] for call in counting.calls) == ["ar", "es", "fr", "so", "vi", "zh"]
    assert set(out) == set(languages)
    assert out["es-MX"] is out["es"]
    assert out["en-US"].provider == "identity"
    assert out["vi"].text == "The book fair opens on Monday morning. (vi)"


def test_hash_ignores_spacing_but_not_wording():
    assert tm.text_hash("Hello  there.\n") == tm.text_hash(" Hello there.")
    assert tm.text_hash("Hello there.") != tm.text_hash("Hello, there.")


def test_the_memory_keeps_serving_while_the_engine_is_down(counting, settings):
    translate(["Ana planted basil seeds today."], "en", "vi", protect=["Ana"])
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.NothingProvider"]}

    (result,) = translate(["Cal planted basil seeds today."], "en", "vi", protect=["Cal"])

    assert result.text == "Cal planted basil seeds today. (vi)"
    with pytest.raises(TranslationUnavailable, match="translates nothing"):
        translate(["Cal planted mint seeds today."], "en", "vi", protect=["Cal"])
