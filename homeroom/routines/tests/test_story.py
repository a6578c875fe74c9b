""" "Tell me about your child": the family writes in any language, staff read it in English
with the original kept, and each family is invited once per school year on its channel."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import override

from homeroom.messaging.models import Delivery, Message, MessageTranslation
from homeroom.routines import common, stories
from homeroom.routines.models import STORY_MAX_CHARS, FamilyStory, StoryInvitation

SPANISH_STORY = (
    "Ana ama dibujar animales y leer libros de aventuras con su hermano. "
    "Es muy buena en matemáticas, pero le preocupa hablar delante de la clase. "
    "Aprende mejor cuando puede ver un ejemplo primero."
)


def story_url(student):
    return reverse("routines:story", args=[student.pk])


# -- the family page --------------------------------------------------------------------------


def test_rosa_writes_in_spanish_and_can_come_back_to_edit(world, login):
    client = login(world.rosa)

    page = client.get(story_url(world.ana))
    assert page.status_code == 200
    assert "en sus propias palabras" in page.content.decode()  # the prompt is in her language

    response = client.post(story_url(world.ana), {"text": SPANISH_STORY})
    assert response.status_code == 302
    story = FamilyStory.objects.get()
    assert (story.student, story.guardian) == (world.ana, world.rosa)
    assert story.language.startswith("es")
    assert story.school_year == common.school_year_of(date.today())

    client.post(story_url(world.ana), {"text": SPANISH_STORY + " Le encanta el fútbol."})
    story = FamilyStory.objects.get()  # edited, not a second story
    assert story.text.endswith("fútbol.")
    assert "fútbol" in client.get(story_url(world.ana)).content.decode()


@pytest.mark.parametrize(
    ("who", "child"),
    [
        ("rosa", "cal"),  # another family's child
        ("olga", "ana"),  # another school's family
        ("ray", "cal"),  # his own child, but a court order bars him
        ("rivera", "ana"),  # staff write no family story
    ],
)
def test_only_a_guardian_with_records_reaches_their_own_childs_page(world, login, who, child):
    client = login(getattr(world, who))
    url = story_url(getattr(world, child))
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Hello"}).status_code == 404
    assert not FamilyStory.objects.exists()


def test_a_story_of_100000_characters_is_refused_and_nothing_is_stored(world, login):
    client = login(world.rosa)
    response = client.post(story_url(world.ana), {"text": "a" * 100_000})
    assert response.status_code == 400
    text = response.content.decode()
    with override("es"):  # the counts, written as a Spanish reader writes numbers
        assert number_format(100_000, force_grouping=True) in text
        assert number_format(STORY_MAX_CHARS, force_grouping=True) in text
    assert "Acórtela" in text
    assert 'role="alert"' in text
    assert not FamilyStory.objects.exists()


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_story_is_refused_with_a_clear_message(world, login, text):
    client = login(world.marco)
    response = client.post(story_url(world.ana), {"text": text})
    assert response.status_code == 400
    assert "Write a few words about your child" in response.content.decode()
    assert not FamilyStory.objects.exists()


def test_the_limit_itself_is_accepted(world):
    story = stories.save_story(world.ana, world.marco, "word " * (STORY_MAX_CHARS // 5))
    assert len(story.text) <= STORY_MAX_CHARS


def test_one_story_per_guardian_per_school_year(world):
    stories.save_story(world.ana, world.marco, "Ana loves drawing.", today=date(2026, 7, 31))
    stories.save_story(world.ana, world.marco, "Ana loves football.", today=date(2026, 8, 1))
    years = sorted(FamilyStory.objects.values_list("school_year", flat=True))
    assert years == [2025, 2026]  # 1 August starts a new school year


# -- what staff read --------------------------------------------------------------------------


def test_staff_read_it_in_english_with_the_spanish_original(world, login):
    story = stories.save_story(world.ana, world.rosa, SPANISH_STORY)
    assert story.translated_text and story.translated_text != story.text
    assert "Ana" in story.translated_text  # names come through untouched

    page = login(world.rivera).get(reverse("student_detail", args=[world.ana.pk]))
    text = page.content.decode()
    assert "written in Spanish — see original" in text
    assert story.translated_text.split()[1] in text
    assert "le preocupa hablar delante de la clase" in text  # the original, kept


@pytest.mark.parametrize("who", ["liaison", "counselor", "principal"])
def test_school_wide_roles_read_it_too(world, client, login, who):
    stories.save_story(world.ana, world.rosa, SPANISH_STORY)
    page = login(getattr(world, who)).get(reverse("student_detail", args=[world.ana.pk]))
    assert "written in Spanish — see original" in page.content.decode()


def test_a_teacher_of_another_section_does_not_see_the_story(world, login, rf):
    stories.save_story(world.ana, world.rosa, SPANISH_STORY)
    client = login(world.chen)
    assert client.get(reverse("student_detail", args=[world.ana.pk])).status_code == 404
    assert stories.stories_for_staff(world.chen.user, world.ana) == []
    assert stories.stories_for_staff(world.south_teacher.user, world.ana) == []
    assert len(stories.stories_for_staff(world.rivera.user, world.ana)) == 1


def test_the_family_reads_no_staff_box_on_their_childs_page(world, login):
    stories.save_story(world.ana, world.rosa, SPANISH_STORY)
    page = login(world.marco).get(reverse("student_detail", args=[world.ana.pk]))
    assert page.status_code == 200
    assert "family-stories" not in page.content.decode()
    assert stories.stories_for_staff(world.marco.user, world.ana) == []


def test_an_english_story_is_shown_as_written(world, login):
    stories.save_story(world.ana, world.marco, "Ana loves drawing animals and reading.")
    page = login(world.rivera).get(reverse("student_detail", args=[world.ana.pk]))
    text = page.content.decode()
    assert "Ana loves drawing animals and reading." in text
    assert "see original" not in text


# -- the invitation ---------------------------------------------------------------------------


def test_each_family_is_invited_on_its_channel_in_its_language(awake):
    world = awake
    result = stories.invite_family_stories(world.math, world.rivera)

    assert result.sent == 2  # Ana and Cal; Eve is no longer enrolled
    channels = dict(Delivery.objects.values_list("guardian__given_name", "channel"))
    assert channels == {"Rosa": "sms", "Marco": "email", "Gina": "sms"}  # never Ray
    message = Message.objects.get(conversation__student=world.ana)
    assert story_url(world.ana) in message.body
    spanish = MessageTranslation.objects.get(message=message, language="es")
    assert story_url(world.ana) in spanish.text  # the link survives translation
    # A system text: the family reads the reviewed Spanish of the catalogue, not a machine's.
    assert spanish.text.startswith("Cuéntenos sobre Ana, en sus propias palabras")
    assert (spanish.provider, spanish.machine, spanish.human_checked) == ("catalogue", False, True)
    assert StoryInvitation.objects.filter(student=world.ana, message=message).exists()


def test_the_invitation_goes_once_per_school_year(awake):
    world = awake
    stories.invite_family_stories(world.math, world.rivera, today=date(2026, 9, 1))
    again = stories.invite_family_stories(world.north, world.principal, today=date(2027, 5, 1))
    assert again.already == 2
    assert again.sent == 1  # Ben, in Science 6, had not been invited
    assert Message.objects.count() == 3
    next_year = stories.invite_family_stories(world.math, world.rivera, today=date(2027, 8, 1))
    assert next_year.sent == 2


def test_a_teacher_invites_from_the_weekly_page_and_only_their_own_class(awake, login):
    world = awake
    client = login(world.rivera)
    response = client.post(reverse("routines:invite_stories", args=[world.math.pk]))
    assert response.status_code == 302
    assert StoryInvitation.objects.count() == 2
    assert (
        client.post(reverse("routines:invite_stories", args=[world.science.pk])).status_code == 404
    )
    assert (
        login(world.rosa).post(reverse("routines:invite_stories", args=[world.math.pk])).status_code
        == 404
    )
