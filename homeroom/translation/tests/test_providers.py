"""Apertium (the real engine), LibreTranslate (a loopback server speaking its API), routing."""

import shutil
import socket
import stat

import pytest

from homeroom.translation.providers import get_provider
from homeroom.translation.providers.apertium import (
    ApertiumProvider,
    apertium_mode,
    installed_modes,
)
from homeroom.translation.providers.base import PermanentError, TransientError
from homeroom.translation.providers.libretranslate import LibreTranslateProvider
from homeroom.translation.services import (
    TranslationUnavailable,
    available,
    translate,
)

from .libretranslate_server import FakeLibreTranslate


def wrapper(tmp_path, body: str) -> str:
    """An `apertium` that runs `body` for translations and the real engine for `-l`."""
    real = shutil.which("apertium")
    script = tmp_path / "apertium-wrapper"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-l" ]; then exec {real} -l; fi\n'
        f'echo "$@" >> "{tmp_path}/calls.log"\n'
        f"{body.replace('REAL', real)}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    installed_modes.cache_clear()
    return str(script)


def calls(tmp_path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


# -- Apertium ---------------------------------------------------------------------------------


def test_bcp47_tags_map_to_apertium_modes():
    assert apertium_mode("en", "es") == "eng-spa"
    assert apertium_mode("es-MX", "en-US") == "spa-eng"
    assert apertium_mode("en", "vi") is None


def test_apertium_translates_a_batch_in_one_process(apertium, tmp_path):
    provider = ApertiumProvider(command=wrapper(tmp_path, 'exec REAL "$@"'))
    texts = ["Thank you.", "The meeting is in the gym.", "Good morning."]

    out = provider.translate_batch(texts, "en", "es")

    assert out == ["Gracias.", "La reunión es en el gimnasio.", "Buenos días."]
    assert calls(tmp_path) == ["-u eng-spa"]


def test_apertium_keeps_each_texts_own_lines(apertium):
    provider = ApertiumProvider()
    texts = ["Good morning.\nThe meeting is in the gym.", "", "Thank you.\n\nGood night."]

    out = provider.translate_batch(texts, "en", "es")

    assert len(out) == 3
    assert out[0] == "Buenos días.\nLa reunión es en el gimnasio."
    assert out[1] == ""
    assert out[2].split("\n")[1] == ""
    assert out[2].count("\n") == 2


def test_apertium_translates_spanish_to_english(apertium):
    (out,) = ApertiumProvider().translate_batch(["Buenos días."], "es", "en")
    assert out == "Good morning."


def test_a_batch_that_comes_back_short_is_refused(apertium, tmp_path):
    provider = ApertiumProvider(command=wrapper(tmp_path, 'REAL "$@" | head -n 1'))
    with pytest.raises(PermanentError, match="returned 1 lines for 5 fenced ones"):
        provider.translate_batch(["Good morning.", "Good night."], "en", "es")


def test_a_hung_apertium_times_out_as_transient(apertium, tmp_path):
    provider = ApertiumProvider(command=wrapper(tmp_path, "sleep 5"), timeout=0.3)
    with pytest.raises(TransientError, match="longer than"):
        provider.translate_batch(["Good morning."], "en", "es")


def test_missing_apertium_is_unavailable_with_a_clear_reason(settings, db):
    settings.APERTIUM_COMMAND = "/nonexistent/apertium"
    provider = get_provider("apertium")

    assert provider.supports("en", "es") is False
    assert available("en", "es") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "es")
    assert "not installed" in str(caught.value)
    assert "apertium-eng-spa" in caught.value.reason
    assert caught.value.retryable is False


def test_a_pair_apertium_lacks_is_unavailable(apertium, db):
    provider = ApertiumProvider()
    assert provider.supports("en", "fr") is False
    assert "eng-fra is not installed" in provider.unavailable_reason("en", "fr")


# -- LibreTranslate ---------------------------------------------------------------------------


@pytest.fixture
def libre():
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def make(server, **kw) -> LibreTranslateProvider:
    kw.setdefault("backoff", 0)
    return LibreTranslateProvider(url=server.url, timeout=2, **kw)


def test_libretranslate_translates_a_batch_in_one_request(libre):
    out = make(libre).translate_batch(["Good morning.", "See you soon."], "en", "vi")

    assert out == ["<vi> Good morning.", "<vi> See you soon."]
    (request,) = [r for r in libre.requests if r[1] == "/translate"]
    assert request[2]["q"] == ["Good morning.", "See you soon."]
    assert request[2]["source"] == "en"
    assert request[2]["target"] == "vi"
    assert request[2]["format"] == "text"


def test_libretranslate_sends_the_api_key():
    server = FakeLibreTranslate(api_key="s3cret").start()
    try:
        out = make(server, api_key="s3cret").translate_batch(["Hi"], "en", "vi")
        assert out == ["<vi> Hi"]
        with pytest.raises(PermanentError, match="403: Invalid API key"):
            make(server, api_key="wrong").translate_batch(["Hi"], "en", "vi")
    finally:
        server.stop()


def test_a_language_the_server_lacks_is_a_permanent_error(libre):
    with pytest.raises(PermanentError, match="400: so is not supported"):
        make(libre).translate_batch(["Hi"], "so", "en")
    assert libre.paths().count("POST /translate") == 1  # never retried


def test_busy_server_is_retried_then_succeeds(libre):
    libre.fail_next(429)
    out = make(libre).translate_batch(["Hi"], "en", "vi")
    assert out == ["<vi> Hi"]
    assert libre.paths().count("POST /translate") == 2


def test_server_errors_give_up_as_transient_after_retries(libre):
    libre.fail_next(500, 500, 500)
    with pytest.raises(TransientError, match="500: Cannot translate text"):
        make(libre, retries=2).translate_batch(["Hi"], "en", "vi")
    assert libre.paths().count("POST /translate") == 3


def test_a_slow_server_times_out_as_transient():
    server = FakeLibreTranslate(delay=1.0).start()
    try:
        provider = LibreTranslateProvider(url=server.url, timeout=0.2, retries=0)
        with pytest.raises(TransientError, match="did not answer within"):
            provider.translate_batch(["Hi"], "en", "vi")
    finally:
        server.stop()


def test_an_unreachable_server_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = LibreTranslateProvider(url=f"http://127.0.0.1:{port}", retries=1, backoff=0)
    with pytest.raises(TransientError, match="unreachable"):
        provider.translate_batch(["Hi"], "en", "vi")
    assert provider.supports("en", "vi") is False


def test_supports_reads_languages_once_and_caches_them(libre):
    provider = make(libre)
    assert provider.supports("en", "vi") is True
    assert provider.supports("en-US", "ar") is True
    assert provider.supports("ar", "vi") is False
    assert provider.supports("so", "en") is False
    assert libre.paths().count("GET /languages") == 1


def test_detect(libre):
    (found,) = make(libre).detect("Cảm ơn cô")
    assert found.language == "vi"
    assert found.confidence == 92.0


def test_routing_sends_other_pairs_to_libretranslate(libre, settings, db):
    settings.LIBRETRANSLATE_URL = libre.url
    settings.LIBRETRANSLATE_API_KEY = ""

    (result,) = translate(["The garden needs water."], "en", "vi")

    assert result.text == "<vi> The garden needs water."
    assert result.provider == "libretranslate"
    assert result.machine is True
    assert available("en", "vi") is True
    assert available("en", "so") is True  # the fake server lists en→so
    assert available("vi", "ar") is False


def test_without_a_server_other_languages_are_unavailable(settings, db):
    settings.LIBRETRANSLATE_URL = ""
    assert available("en", "vi") is False
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert caught.value.source == "en"
    assert caught.value.target == "vi"
    assert "LIBRETRANSLATE_URL" in caught.value.reason
    assert "Vietnamese" in str(caught.value)


def test_a_busy_server_surfaces_as_retryable_unavailability(libre, settings, db):
    settings.LIBRETRANSLATE_URL = libre.url
    libre.fail_next(500, 500, 500, 500)
    with pytest.raises(TranslationUnavailable) as caught:
        translate(["The garden needs water."], "en", "vi")
    assert caught.value.retryable is True


def test_same_language_is_identity_and_costs_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        results = translate(["Hola", "¿Qué tal?"], "es-MX", "es")
    assert [r.text for r in results] == ["Hola", "¿Qué tal?"]
    assert {r.provider for r in results} == {"identity"}
    assert not any(r.machine for r in results)
    assert available("es-MX", "es-US") is True


def test_unknown_provider_names_are_reported(settings, db):
    settings.TRANSLATION_ROUTES = {"*": ["babelfish"]}
    with pytest.raises(TranslationUnavailable, match="no provider is called 'babelfish'"):
        translate(["Hello there, friends."], "en", "es")


# -- the school dictionaries ------------------------------------------------------------------


def test_the_school_dictionaries_speak_to_a_family_with_usted(apertium, tmp_path):
    text = "Your child's teacher will call you if you forget the homework or the permission slip."
    (plain,) = ApertiumProvider().translate_batch([text], "en", "es")
    (school,) = ApertiumProvider(dictionaries=tmp_path).translate_batch([text], "en", "es")

    # The package alone: a professor, "any child", Spain's homework, tú.
    assert "profesor" in plain and "olvidas" in plain
    assert school.startswith("El maestro de su hijo le llamará")
    assert "olvida la tarea" in school and "olvidas" not in school
    assert "hoja de permiso" in school and "resbalón" not in school
    # Built once into the directory given, then reused.
    assert len(list(tmp_path.iterdir())) == 1


def test_a_request_to_the_family_is_an_usted_imperative(apertium, tmp_path):
    provider = ApertiumProvider(dictionaries=tmp_path)

    sign, bring, sign_up = provider.translate_batch(
        [
            "to sign the report card and return it.",
            "to bring your child to the field trip.",
            "To sign up, call the office.",
        ],
        "en",
        "es",
    )

    assert sign.startswith("firme la libreta de calificaciones y ")
    assert "traiga su hijo a la excursión" in bring
    # A purpose clause is not a request: "To sign up, ..." keeps its "Para".
    assert sign_up.startswith("Para ")


def test_the_school_dictionaries_read_a_familys_spanish(apertium, tmp_path):
    provider = ApertiumProvider(dictionaries=tmp_path)

    meeting, pick_up, flu = provider.translate_batch(
        [
            "¿A qué hora es la junta?",
            "Mi esposa va a recoger la boleta de calificaciones.",
            "Mi hija tiene gripa y no trajo la tarea.",
        ],
        "es",
        "en",
    )

    assert meeting.startswith("What time") and "meeting" in meeting
    assert "is going to" in pick_up and "report card" in pick_up
    assert "flu" in flu and "homework" in flu


@pytest.mark.django_db
def test_a_familys_reply_reads_as_english(apertium):
    asking, already, teacher = translate(
        [
            "¿Puede llamarme el martes a las 4?",
            "Ya mandé el permiso firmado.",
            "Gracias maestra.",
        ],
        "es",
        "en",
    )

    assert asking.text.startswith("Can you call me")
    assert "on Tuesday" in asking.text and "the Tuesday" not in asking.text
    assert "at 4" in asking.text and "to the 4" not in asking.text
    assert already.text.startswith("I already sent")
    assert "teacher" in teacher.text and "aster" not in teacher.text
