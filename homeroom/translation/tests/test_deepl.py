"""DeepL against a loopback server speaking its contract."""

import time

import pytest

from homeroom.translation.models import GlossaryTerm
from homeroom.translation.providers import NAMES, get_provider
from homeroom.translation.providers.base import PermanentError, TransientError
from homeroom.translation.providers.deepl import FREE_URL, PRO_URL, DeepLProvider
from homeroom.translation.providers.http import languages_cache
from homeroom.translation.services import TranslationUnavailable, available, translate

from .cloud_servers import KEPT_IN_SPANISH, NEVER_SENT, PROTECTED, FakeDeepL, sent_texts


@pytest.fixture(autouse=True)
def _fresh_languages():
    languages_cache.clear()
    yield
    languages_cache.clear()


@pytest.fixture
def deepl():
    server = FakeDeepL(key="deepl-key:fx").start()
    yield server
    server.stop()


def make(server, **kw) -> DeepLProvider:
    kw.setdefault("backoff", 0)
    kw.setdefault("timeout", 2)
    kw.setdefault("api_key", "deepl-key:fx")
    return DeepLProvider(url=server.url, **kw)


def translations(server):
    return [r for r in server.requests if r.path == "/v2/translate"]


@pytest.fixture
def routed(deepl, settings):
    settings.DEEPL_API_KEY = "deepl-key:fx"
    settings.DEEPL_GLOSSARIES = {}
    settings.DEEPL_URL = deepl.url
    settings.TRANSLATION_ROUTES = {"*": ["deepl"]}
    return deepl


def test_deepl_is_a_shipped_name():
    assert "deepl" in NAMES


def test_the_key_chooses_the_free_or_the_pro_api():
    assert DeepLProvider(api_key="abc:fx").url == FREE_URL
    assert DeepLProvider(api_key="abc").url == PRO_URL
    assert DeepLProvider(api_key="abc", url="http://127.0.0.1:9/").url == "http://127.0.0.1:9"


def test_a_batch_is_one_translate_call_with_deepls_codes(deepl):
    out = make(deepl).translate_batch(["Good morning.", "See you soon."], "en", "pt")

    assert out == ["<PT-BR> Good morning.", "<PT-BR> See you soon."]
    (request,) = translations(deepl)
    assert request.headers["authorization"] == "DeepL-Auth-Key deepl-key:fx"
    assert request.body == {
        "text": ["Good morning.", "See you soon."],
        "source_lang": "EN",
        "target_lang": "PT-BR",
        "formality": "prefer_more",
    }
    assert make(deepl).translate_batch(["Hola"], "es", "en-GB") == ["<EN-US> Hola"]


def test_a_long_batch_is_split_at_50_texts(deepl):
    texts = [f"Note {n}." for n in range(120)]
    out = make(deepl).translate_batch(texts, "en", "es")

    assert out == [f"<ES> {t}" for t in texts]
    assert [len(r.body["text"]) for r in translations(deepl)] == [50, 50, 20]


def test_the_pairs_glossary_is_sent(deepl):
    provider = make(deepl, glossaries={"en:es": "gl-school-es"})
    assert provider.translate_batch(["Rising Stars"], "en", "es") == ["<ES glossary> Rising Stars"]
    assert provider.translate_batch(["Rising Stars"], "en", "fr") == ["<FR> Rising Stars"]
    first, second = translations(deepl)
    assert first.body["glossary_id"] == "gl-school-es"
    assert "glossary_id" not in second.body


def test_names_dates_and_the_glossary_stay_protected(routed, db):
    GlossaryTerm.objects.create(term="Rising Stars", language="en")

    (result,) = translate([PROTECTED], "en", "es", protect=["Ana"])

    assert result.provider == "deepl"
    assert result.text.startswith("<ES> ")
    assert all(kept in result.text for kept in KEPT_IN_SPANISH), result.text
    sent = " ".join(sent_texts(routed))
    assert sent and not [word for word in NEVER_SENT if word in sent], sent


def test_a_bad_request_is_permanent_and_not_retried(deepl):
    with pytest.raises(PermanentError, match="400: Value for 'target_lang' not supported"):
        make(deepl).translate_batch(["Hi"], "en", "vi")
    assert len(translations(deepl)) == 1


def test_a_wrong_key_is_permanent_and_names_the_setting(deepl):
    with pytest.raises(PermanentError, match=r"403: the key was refused \(check DEEPL_API_KEY"):
        make(deepl, api_key="other:fx").translate_batch(["Hi"], "en", "es")


def test_a_spent_quota_is_permanent_with_a_clear_reason(deepl):
    deepl.fail_next(456)
    with pytest.raises(PermanentError, match=r"456: the DeepL character quota .* is used up"):
        make(deepl).translate_batch(["Hi"], "en", "es")
    assert len(translations(deepl)) == 1


def test_too_many_requests_waits_retry_after_then_succeeds(deepl):
    deepl.fail_next(429, retry_after="1")
    started = time.monotonic()

    assert make(deepl).translate_batch(["Hi"], "en", "es") == ["<ES> Hi"]

    assert time.monotonic() - started >= 1.0
    assert len(translations(deepl)) == 2


def test_repeated_server_errors_give_up_as_transient(deepl):
    deepl.fail_next(503, 500, 503)
    with pytest.raises(TransientError, match="503: Service unavailable"):
        make(deepl, retries=2).translate_batch(["Hi"], "en", "es")
    assert len(translations(deepl)) == 3


def test_supports_follows_the_source_and_target_lists_once(deepl):
    provider = make(deepl)
    assert provider.supports("en", "es") is True
    assert provider.supports("es", "en") is True  # EN-US is a target
    assert provider.supports("en", "pt") is True
    assert provider.supports("en", "vi") is False
    assert provider.supports("vi", "en") is False
    assert deepl.paths().count("GET /v2/languages") == 2  # source and target, once each


def test_without_a_key_deepl_is_unavailable_with_the_reason(settings, db):
    settings.DEEPL_API_KEY = ""
    settings.TRANSLATION_ROUTES = {"*": ["deepl"]}
    assert get_provider("deepl").supports("en", "es") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "fr")
    assert "DEEPL_API_KEY" in caught.value.reason
    assert caught.value.retryable is False


def test_a_busy_deepl_surfaces_as_retryable(routed, db):
    assert available("en", "fr") is True
    routed.fail_next(500, 500, 500)
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "fr")
    assert caught.value.retryable is True
