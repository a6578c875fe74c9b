"""Google Cloud Translation v3 against a loopback server speaking its contract."""

import time

import pytest

from homeroom.translation.models import GlossaryTerm
from homeroom.translation.providers import NAMES, get_provider
from homeroom.translation.providers.base import PermanentError, TransientError
from homeroom.translation.providers.google import GoogleTranslateProvider
from homeroom.translation.providers.http import languages_cache
from homeroom.translation.services import TranslationUnavailable, available, translate

from .cloud_servers import KEPT_IN_SPANISH, NEVER_SENT, PROTECTED, FakeGoogle, sent_texts

PROJECT = "homeroom-district"
GLOSSARY = f"projects/{PROJECT}/locations/us-central1/glossaries/school-terms"


@pytest.fixture(autouse=True)
def _fresh_languages():
    languages_cache.clear()
    yield
    languages_cache.clear()


@pytest.fixture
def google():
    server = FakeGoogle(project=PROJECT, glossaries={GLOSSARY}).start()
    yield server
    server.stop()


def make(server, **kw) -> GoogleTranslateProvider:
    kw.setdefault("backoff", 0)
    kw.setdefault("token", "ya29.token")
    kw.setdefault("timeout", 2)
    return GoogleTranslateProvider(project=PROJECT, url=server.url, **kw)


@pytest.fixture
def routed(google, settings):
    settings.GOOGLE_TRANSLATE_PROJECT = PROJECT
    settings.GOOGLE_TRANSLATE_TOKEN = "ya29.token"
    settings.GOOGLE_TRANSLATE_TOKEN_FILE = ""
    settings.GOOGLE_TRANSLATE_LOCATION = "global"
    settings.GOOGLE_TRANSLATE_GLOSSARIES = {}
    settings.GOOGLE_TRANSLATE_URL = google.url
    settings.TRANSLATION_ROUTES = {"*": ["google"]}
    return google


def test_google_is_a_shipped_name():
    assert "google" in NAMES


def test_a_batch_is_one_translate_text_call(google):
    out = make(google).translate_batch(["Good morning.", "See you soon."], "en", "vi")

    assert out == ["<vi> Good morning.", "<vi> See you soon."]
    (request,) = [r for r in google.requests if r.path.endswith(":translateText")]
    assert request.path == f"/v3/projects/{PROJECT}/locations/global:translateText"
    assert request.headers["authorization"] == "Bearer ya29.token"
    assert request.body == {
        "contents": ["Good morning.", "See you soon."],
        "sourceLanguageCode": "en",
        "targetLanguageCode": "vi",
        "mimeType": "text/plain",
    }


def test_chinese_goes_by_googles_own_code(google):
    provider = make(google)
    assert provider.supports("en", "zh-Hans") is True
    assert provider.translate_batch(["Hi"], "en", "zh") == ["<zh-CN> Hi"]


def test_the_pairs_glossary_is_sent_and_its_translations_used(google):
    provider = make(google, location="us-central1", glossaries={"en:es": "school-terms"})

    assert provider.translate_batch(["Rising Stars"], "en", "es") == ["<es glossary> Rising Stars"]
    assert provider.translate_batch(["Rising Stars"], "en", "vi") == ["<vi> Rising Stars"]
    first, second = [r.body for r in google.requests if r.method == "POST"]
    assert first["glossaryConfig"] == {"glossary": GLOSSARY}
    assert "glossaryConfig" not in second


def test_a_long_batch_is_split_within_the_documented_limits(google):
    texts = [f"Note {n}." for n in range(1500)] + ["x" * 29_000, "y" * 2_000]
    out = make(google).translate_batch(texts, "en", "es")

    assert out == [f"<es> {t}" for t in texts]
    batches = [r.body["contents"] for r in google.requests if r.method == "POST"]
    assert all(len(b) <= 1024 and sum(map(len, b)) <= 30_000 for b in batches)
    assert [t for b in batches for t in b] == texts


def test_the_token_file_is_read_on_every_call(google, tmp_path):
    token = tmp_path / "token"
    token.write_text("ya29.old\n")
    provider = make(google, token="", token_file=str(token))
    with pytest.raises(PermanentError, match="401: UNAUTHENTICATED"):
        provider.translate_batch(["Hi"], "en", "vi")
    token.write_text("ya29.token\n")
    assert provider.translate_batch(["Hi"], "en", "vi") == ["<vi> Hi"]


def test_names_dates_and_the_glossary_stay_protected(routed, db):
    GlossaryTerm.objects.create(term="Rising Stars", language="en")

    (result,) = translate([PROTECTED], "en", "es", protect=["Ana"])

    assert result.provider == "google"
    assert result.text.startswith("<es> ")
    assert all(kept in result.text for kept in KEPT_IN_SPANISH), result.text
    sent = " ".join(sent_texts(routed))
    assert sent and not [word for word in NEVER_SENT if word in sent], sent


def test_an_invalid_argument_is_permanent_and_not_retried(google):
    with pytest.raises(PermanentError, match="400: INVALID_ARGUMENT: Target language is invalid"):
        make(google).translate_batch(["Hi"], "en", "ht")
    assert google.paths().count(f"POST /v3/projects/{PROJECT}/locations/global:translateText") == 1


def test_a_missing_glossary_is_permanent(google):
    provider = make(google, glossaries={"en:es": "gone"})
    with pytest.raises(PermanentError, match="404: NOT_FOUND"):
        provider.translate_batch(["Hi"], "en", "es")


def test_resource_exhausted_waits_retry_after_then_succeeds(google):
    google.fail_next(429, retry_after="1")
    started = time.monotonic()

    assert make(google).translate_batch(["Hi"], "en", "vi") == ["<vi> Hi"]

    assert time.monotonic() - started >= 1.0
    assert [r.method for r in google.requests] == ["POST", "POST"]


def test_repeated_server_errors_give_up_as_transient(google):
    google.fail_next(503, 500, 503)
    with pytest.raises(TransientError, match="503: UNAVAILABLE"):
        make(google, retries=2).translate_batch(["Hi"], "en", "vi")
    assert len(google.requests) == 3


def test_a_slow_server_times_out_as_transient():
    server = FakeGoogle(project=PROJECT, delay=1.0).start()
    try:
        with pytest.raises(TransientError, match="did not answer within"):
            make(server, retries=0, timeout=0.2).translate_batch(["Hi"], "en", "vi")
    finally:
        server.stop()


def test_supports_follows_supported_languages_once(google):
    provider = make(google)
    assert provider.supports("en", "vi") is True
    assert provider.supports("ht", "en") is True
    assert provider.supports("en", "ht") is False  # a source only
    assert provider.supports("en", "so") is False
    assert "does not translate en to so" in provider.unavailable_reason("en", "so")
    assert (
        google.paths().count(f"GET /v3/projects/{PROJECT}/locations/global/supportedLanguages") == 1
    )


def test_without_settings_google_is_unavailable_with_the_reason(settings, db):
    settings.GOOGLE_TRANSLATE_PROJECT = ""
    settings.GOOGLE_TRANSLATE_TOKEN = ""
    settings.GOOGLE_TRANSLATE_TOKEN_FILE = ""
    settings.TRANSLATION_ROUTES = {"*": ["google"]}
    provider = get_provider("google")
    assert provider.supports("en", "vi") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert "GOOGLE_TRANSLATE_PROJECT" in caught.value.reason
    assert caught.value.retryable is False


def test_a_busy_google_surfaces_as_retryable(routed, db):
    assert available("en", "vi") is True
    routed.fail_next(500, 500, 500)
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert caught.value.retryable is True
