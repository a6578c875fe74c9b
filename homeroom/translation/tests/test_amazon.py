"""Amazon Translate against a loopback server speaking its contract; SigV4 against AWS's vectors."""

import hashlib
import time

import pytest

from homeroom.translation.models import GlossaryTerm
from homeroom.translation.providers import NAMES, get_provider
from homeroom.translation.providers.amazon import (
    AmazonTranslateProvider,
    authorization,
    canonical_request,
)
from homeroom.translation.providers.base import PermanentError, TransientError
from homeroom.translation.providers.http import languages_cache
from homeroom.translation.services import TranslationUnavailable, available, translate

from .cloud_servers import KEPT_IN_SPANISH, NEVER_SENT, PROTECTED, FakeAmazon, sent_texts

TRANSLATE = "AWSShineFrontendService_20170701.TranslateText"


@pytest.fixture(autouse=True)
def _fresh_languages():
    languages_cache.clear()
    yield
    languages_cache.clear()


@pytest.fixture
def amazon():
    server = FakeAmazon(access_key="AKIDHOMEROOM", secret_key="homeroom-secret").start()
    yield server
    server.stop()


def make(server, **kw) -> AmazonTranslateProvider:
    kw.setdefault("backoff", 0)
    kw.setdefault("timeout", 2)
    kw.setdefault("access_key", "AKIDHOMEROOM")
    kw.setdefault("secret_key", "homeroom-secret")
    kw.setdefault("region", "us-east-1")
    return AmazonTranslateProvider(url=server.url, **kw)


def translations(server):
    return [r for r in server.requests if r.headers.get("x-amz-target") == TRANSLATE]


@pytest.fixture
def routed(amazon, settings):
    settings.AWS_ACCESS_KEY_ID = "AKIDHOMEROOM"
    settings.AWS_SECRET_ACCESS_KEY = "homeroom-secret"
    settings.AWS_SESSION_TOKEN = ""
    settings.AWS_REGION = "us-east-1"
    settings.AWS_TRANSLATE_TERMINOLOGIES = {}
    settings.AWS_TRANSLATE_URL = amazon.url
    settings.TRANSLATION_ROUTES = {"*": ["amazon"]}
    return amazon


# -- Signature Version 4, against the aws-sig-v4-test-suite --------------------------------------

VECTOR = {
    "access_key": "AKIDEXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "region": "us-east-1",
    "service": "service",
}
VECTOR_HEADERS = {"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"}
CREDENTIAL = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "


@pytest.mark.parametrize(
    ("name", "method", "url", "signature"),
    [
        (
            "get-vanilla",
            "GET",
            "https://example.amazonaws.com/",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "get-vanilla-query-order-key-case",
            "GET",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            "post-vanilla",
            "POST",
            "https://example.amazonaws.com/",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ],
)
def test_sigv4_matches_the_published_test_suite(name, method, url, signature):
    header = authorization(method, url, VECTOR_HEADERS, b"", **VECTOR)
    assert header == (CREDENTIAL + f"SignedHeaders=host;x-amz-date, Signature={signature}"), name


def test_sigv4_canonical_request_of_get_vanilla():
    request = canonical_request("GET", "https://example.amazonaws.com/", VECTOR_HEADERS, b"")
    assert request == (
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\n" + hashlib.sha256(b"").hexdigest()
    )


# -- the provider -----------------------------------------------------------------------------


def test_amazon_is_a_shipped_name():
    assert "amazon" in NAMES


def test_a_batch_is_one_signed_call_per_text_in_order(amazon):
    out = make(amazon).translate_batch(["Good morning.", "See you soon."], "en", "vi")

    assert out == ["<vi> Good morning.", "<vi> See you soon."]
    first, second = translations(amazon)
    assert first.body == {
        "Text": "Good morning.",
        "SourceLanguageCode": "en",
        "TargetLanguageCode": "vi",
    }
    assert second.body["Text"] == "See you soon."
    assert first.headers["content-type"] == "application/x-amz-json-1.1"
    assert first.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDHOMEROOM/")
    signed = first.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed == "content-type;host;x-amz-date;x-amz-target"


def test_a_session_token_is_sent_and_signed(amazon):
    make(amazon, session_token="FQoGZXIvYXdzE").translate_batch(["Hi"], "en", "es")
    (request,) = translations(amazon)
    assert request.headers["x-amz-security-token"] == "FQoGZXIvYXdzE"
    assert "x-amz-security-token" in request.headers["authorization"]


def test_a_wrong_secret_fails_the_signature_check_permanently(amazon):
    with pytest.raises(PermanentError, match=r"InvalidSignatureException.*AWS_SECRET_ACCESS_KEY"):
        make(amazon, secret_key="not-the-secret").translate_batch(["Hi"], "en", "es")
    assert len(translations(amazon)) == 1


def test_the_pairs_terminology_is_sent(amazon):
    provider = make(amazon, terminologies={"en:es": "school-terms"})
    assert provider.translate_batch(["Rising Stars"], "en", "es") == ["<es terms> Rising Stars"]
    assert provider.translate_batch(["Rising Stars"], "en", "vi") == ["<vi> Rising Stars"]
    assert translations(amazon)[0].body["TerminologyNames"] == ["school-terms"]


def test_names_dates_and_the_glossary_stay_protected(routed, db):
    GlossaryTerm.objects.create(term="Rising Stars", language="en")

    (result,) = translate([PROTECTED], "en", "es", protect=["Ana"])

    assert result.provider == "amazon"
    assert result.text.startswith("<es> ")
    assert all(kept in result.text for kept in KEPT_IN_SPANISH), result.text
    sent = " ".join(sent_texts(routed))
    assert sent and not [word for word in NEVER_SENT if word in sent], sent


def test_an_unsupported_pair_is_permanent_and_not_retried(amazon):
    with pytest.raises(PermanentError, match="UnsupportedLanguagePairException"):
        make(amazon).translate_batch(["Hi"], "en", "so")
    assert len(translations(amazon)) == 1


def test_a_text_over_10000_bytes_is_refused_before_sending(amazon):
    with pytest.raises(PermanentError, match="at most 10000 bytes"):
        make(amazon).translate_batch(["ñ" * 5001], "en", "es")
    assert translations(amazon) == []


def test_a_validation_error_is_permanent(amazon):
    amazon.fail_next(400)
    with pytest.raises(PermanentError, match="400: ValidationException"):
        make(amazon).translate_batch(["Hi"], "en", "es")


def test_throttling_waits_retry_after_then_succeeds(amazon):
    # Amazon throttles with a 400 whose __type says so; the type decides, not the status.
    amazon.fail_next(400, retry_after="1", code="ThrottlingException")
    started = time.monotonic()

    assert make(amazon).translate_batch(["Hi"], "en", "vi") == ["<vi> Hi"]

    assert time.monotonic() - started >= 1.0
    assert len(translations(amazon)) == 2


def test_repeated_unavailability_gives_up_as_transient(amazon):
    amazon.fail_next(503, 500, 503)
    with pytest.raises(TransientError, match="503: ServiceUnavailableException"):
        make(amazon, retries=2).translate_batch(["Hi"], "en", "vi")
    assert len(translations(amazon)) == 3


def test_supports_follows_every_page_of_list_languages_once(amazon):
    provider = make(amazon)
    assert provider.supports("en", "vi") is True
    assert provider.supports("tl", "ht") is True  # from the second page
    assert provider.supports("en", "fr") is False
    listings = [
        r.body
        for r in amazon.requests
        if r.headers.get("x-amz-target") == "AWSShineFrontendService_20170701.ListLanguages"
    ]
    assert listings == [{"MaxResults": 500}, {"MaxResults": 500, "NextToken": "page-2"}]


def test_without_credentials_amazon_is_unavailable_with_the_reason(settings, db):
    settings.AWS_ACCESS_KEY_ID = ""
    settings.AWS_SECRET_ACCESS_KEY = ""
    settings.AWS_REGION = "us-east-1"
    settings.TRANSLATION_ROUTES = {"*": ["amazon"]}
    assert get_provider("amazon").supports("en", "vi") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY" in caught.value.reason
    assert caught.value.retryable is False


def test_a_busy_amazon_surfaces_as_retryable(routed, db):
    assert available("en", "vi") is True
    routed.fail_next(500, 500, 500)
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert caught.value.retryable is True
