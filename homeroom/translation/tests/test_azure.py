"""Azure Translator v3.0 against a loopback server speaking its contract."""

import socket
import time

import pytest

from homeroom.translation.models import GlossaryTerm
from homeroom.translation.providers import NAMES, get_provider
from homeroom.translation.providers.azure import AzureTranslatorProvider
from homeroom.translation.providers.base import PermanentError, TransientError
from homeroom.translation.providers.http import languages_cache
from homeroom.translation.services import TranslationUnavailable, available, translate

from .cloud_servers import KEPT_IN_SPANISH, NEVER_SENT, PROTECTED, FakeAzure, sent_texts


@pytest.fixture(autouse=True)
def _fresh_languages():
    languages_cache.clear()
    yield
    languages_cache.clear()


@pytest.fixture
def azure():
    server = FakeAzure(key="azure-key", region="eastus").start()
    yield server
    server.stop()


def make(server, **kw) -> AzureTranslatorProvider:
    kw.setdefault("backoff", 0)
    kw.setdefault("timeout", 2)
    kw.setdefault("key", "azure-key")
    kw.setdefault("region", "eastus")
    return AzureTranslatorProvider(endpoint=server.url, **kw)


def translations(server):
    return [r for r in server.requests if r.method == "POST"]


@pytest.fixture
def routed(azure, settings):
    settings.AZURE_TRANSLATOR_KEY = "azure-key"
    settings.AZURE_TRANSLATOR_REGION = "eastus"
    settings.AZURE_TRANSLATOR_ENDPOINT = azure.url
    settings.TRANSLATION_ROUTES = {"*": ["azure"]}
    return azure


def test_azure_is_a_shipped_name():
    assert "azure" in NAMES


def test_a_batch_is_one_translate_call(azure):
    out = make(azure).translate_batch(["Good morning.", "See you soon."], "en", "vi")

    assert out == ["<vi> Good morning.", "<vi> See you soon."]
    (request,) = translations(azure)
    assert request.path == "/translate"
    assert request.query == {"api-version": "3.0", "from": "en", "to": "vi"}
    assert request.headers["ocp-apim-subscription-key"] == "azure-key"
    assert request.headers["ocp-apim-subscription-region"] == "eastus"
    assert request.body == [{"Text": "Good morning."}, {"Text": "See you soon."}]


def test_azures_own_language_codes_are_used(azure):
    provider = make(azure)
    assert provider.supports("en", "zh") is True
    assert provider.supports("en", "tl") is True
    assert provider.translate_batch(["Hi"], "en", "tl") == ["<fil> Hi"]


def test_a_batch_is_split_at_1000_texts_and_50000_characters(azure):
    texts = [f"Note {n}." for n in range(2300)] + ["x" * 30_000, "y" * 30_000]
    out = make(azure).translate_batch(texts, "en", "es")

    assert out == [f"<es> {t}" for t in texts]
    batches = [[item["Text"] for item in r.body] for r in translations(azure)]
    assert [len(b) for b in batches] == [1000, 1000, 301, 1]
    assert all(len(b) <= 1000 and sum(map(len, b)) <= 50_000 for b in batches)
    assert [t for b in batches for t in b] == texts


def test_a_text_over_the_request_limit_is_refused_before_sending(azure):
    with pytest.raises(PermanentError, match="at most 50000 characters"):
        make(azure).translate_batch(["z" * 50_001], "en", "es")
    assert translations(azure) == []


def test_names_dates_and_the_glossary_stay_protected(routed, db):
    GlossaryTerm.objects.create(term="Rising Stars", language="en")

    (result,) = translate([PROTECTED], "en", "es", protect=["Ana"])

    assert result.provider == "azure"
    assert result.text.startswith("<es> ")
    assert all(kept in result.text for kept in KEPT_IN_SPANISH), result.text
    sent = " ".join(sent_texts(routed))
    assert sent and not [word for word in NEVER_SENT if word in sent], sent


def test_a_bad_language_is_permanent_and_not_retried(azure):
    with pytest.raises(PermanentError, match="400: 400036 The target language is not valid"):
        make(azure).translate_batch(["Hi"], "en", "so")
    assert len(translations(azure)) == 1


def test_a_wrong_key_is_permanent_and_names_the_settings(azure):
    with pytest.raises(PermanentError, match=r"401: 401000 .*AZURE_TRANSLATOR_KEY"):
        make(azure, key="wrong").translate_batch(["Hi"], "en", "es")


def test_too_many_requests_waits_retry_after_then_succeeds(azure):
    azure.fail_next(429, retry_after="1")
    started = time.monotonic()

    assert make(azure).translate_batch(["Hi"], "en", "vi") == ["<vi> Hi"]

    assert time.monotonic() - started >= 1.0
    assert len(translations(azure)) == 2


def test_repeated_server_errors_give_up_as_transient(azure):
    azure.fail_next(500, 503, 500)
    with pytest.raises(TransientError, match="500: 500000"):
        make(azure, retries=2).translate_batch(["Hi"], "en", "vi")
    assert len(translations(azure)) == 3


def test_an_answer_cut_short_is_retried(azure):
    azure.cut_next()
    assert make(azure).translate_batch(["Hi"], "en", "vi") == ["<vi> Hi"]
    assert len(translations(azure)) == 2


def test_an_unreachable_endpoint_is_transient_and_unavailable_for_now():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = AzureTranslatorProvider(
        key="azure-key", endpoint=f"http://127.0.0.1:{port}", retries=1, backoff=0
    )
    with pytest.raises(TransientError, match="unreachable"):
        provider.translate_batch(["Hi"], "en", "vi")
    assert provider.supports("en", "vi") is False
    assert provider.unavailable_is_temporary("en", "vi") is True
    assert "did not list its languages" in provider.unavailable_reason("en", "vi")


def test_supports_follows_the_language_list_once(azure):
    provider = make(azure)
    assert provider.supports("en", "vi") is True
    assert provider.supports("vi", "ar") is True
    assert provider.supports("en", "so") is False
    assert "does not translate en to so" in provider.unavailable_reason("en", "so")
    assert azure.paths().count("GET /languages") == 1
    (listing,) = [r for r in azure.requests if r.method == "GET"]
    assert listing.query == {"api-version": "3.0", "scope": "translation"}


def test_without_a_key_azure_is_unavailable_with_the_reason(settings, db):
    settings.AZURE_TRANSLATOR_KEY = ""
    settings.TRANSLATION_ROUTES = {"*": ["azure"]}
    assert get_provider("azure").supports("en", "vi") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert "AZURE_TRANSLATOR_KEY" in caught.value.reason
    assert caught.value.retryable is False


def test_a_busy_azure_surfaces_as_retryable(routed, db):
    assert available("en", "vi") is True
    routed.fail_next(503, 503, 503)
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert caught.value.retryable is True
