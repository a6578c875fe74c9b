"""The pages: recording, the family feed, ratios, insights; scope, escaping, query counts."""

import pytest
from django.urls import reverse

from homeroom.behavior import notices, recording
from homeroom.behavior.models import FamilyResponse, Moment
from homeroom.messaging.models import Conversation, Participant

from .builders import grow, queries_of

HTMX = {"HTTP_HX_REQUEST": "true"}


def section_url(section):
    return reverse("behavior:section_record", args=[section.pk])


def feed_url(student):
    return reverse("behavior:child_feed", args=[student.pk])


def test_section_page_lists_the_class_and_positive_categories_first(world, login):
    response = login(world.rivera).get(section_url(world.math))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana Lopez" in html and "Cal Nguyen" in html and "Eve Gone" not in html
    assert html.index("Helping others") < html.index("Off task")
    assert "Select all" in html


def test_recording_with_htmx_answers_with_an_undo(world, login, cats):
    client = login(world.rivera)
    response = client.post(
        section_url(world.math),
        {"students": [world.ana.pk, world.cal.pk], "category": cats["Kindness"].pk},
        **HTMX,
    )
    html = response.content.decode()
    assert "Recorded for 2 students" in html
    assert reverse("behavior:withdraw") in html
    ids = list(Moment.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    undo = client.post(reverse("behavior:withdraw"), {"moments": ids}, **HTMX)
    assert "Withdrawn" in undo.content.decode()
    assert Moment.objects.filter(withdrawn_at__isnull=False).count() == 2


def test_recording_without_javascript_redirects_with_a_message(world, login, cats):
    client = login(world.rivera)
    response = client.post(
        section_url(world.math), {"students": [world.ana.pk], "category": cats["Kindness"].pk}
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Recorded for 1 student" in page.content.decode()


def test_a_student_outside_scope_is_404_and_nothing_is_written(world, login, cats):
    response = login(world.rivera).post(
        section_url(world.math),
        {"students": [world.ana.pk, world.ben.pk], "category": cats["Kindness"].pk},
        **HTMX,
    )
    assert response.status_code == 404
    assert not Moment.objects.exists()


def test_a_category_of_another_school_is_refused_with_a_clear_message(
    world, login, cats, south_cats
):
    response = login(world.rivera).post(
        section_url(world.math),
        {"students": [world.ana.pk], "category": south_cats["Kindness"].pk},
        **HTMX,
    )
    assert "belongs to another school" in response.content.decode()
    assert not Moment.objects.exists()


@pytest.mark.parametrize(
    "name,args",
    [
        ("behavior:section_record", lambda w: [w.science.pk]),
        ("behavior:section_record", lambda w: [w.english.pk]),
        ("behavior:student_moments", lambda w: [w.ben.pk]),
        ("behavior:student_moments", lambda w: [w.zed.pk]),
        ("behavior:child_feed", lambda w: [w.ana.pk]),
    ],
)
def test_ids_a_teacher_may_not_see_are_404(world, login, name, args):
    assert login(world.rivera).get(reverse(name, args=args(world))).status_code == 404


def test_moment_ids_out_of_scope_are_404(world, login, south_cats):
    (moment,) = recording.record_moments(world.south_teacher, [world.dee], south_cats["Kindness"])
    client = login(world.rivera)
    assert client.get(reverse("behavior:correct", args=[moment.pk])).status_code == 404
    assert client.post(reverse("behavior:review", args=[moment.pk])).status_code == 404
    assert client.post(reverse("behavior:withdraw"), {"moments": [moment.pk]}).status_code == 404
    assert Moment.objects.get(pk=moment.pk).withdrawn_at is None


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x"])
def test_a_withdrawal_never_sends_the_teacher_to_another_site(world, login, cats, elsewhere):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    client = login(world.rivera)
    response = client.post(
        reverse("behavior:withdraw"), {"moments": [moment.pk], "next": elsewhere}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("behavior:ratios")
    back = reverse("behavior:student_moments", args=[world.ana.pk])
    (again,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    assert (
        client.post(reverse("behavior:withdraw"), {"moments": [again.pk], "next": back})["Location"]
        == back
    )


def test_a_guardian_sees_only_their_own_children(world, login, cats):
    recording.record_moments(world.rivera, [world.cal], cats["Kindness"])
    client = login(world.rosa)
    assert client.get(feed_url(world.cal)).status_code == 404
    assert client.get(feed_url(world.dee)).status_code == 404
    assert login(world.ray).get(feed_url(world.cal)).status_code == 404  # court order
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    url = reverse("behavior:respond", args=[world.cal.pk, moment.pk])
    assert client.post(url, {"kind": "thank_you"}).status_code == 404
    url = reverse("behavior:respond", args=[world.ana.pk, moment.pk + 999])
    assert client.post(url, {"kind": "thank_you"}).status_code == 404
    assert not FamilyResponse.objects.exists()
    assert login(world.rivera).get(feed_url(world.ana)).status_code == 404  # staff: not a family


def test_feed_in_spanish_good_news_first_never_withdrawn_or_hidden(world, login, cats):
    recording.record_moments(world.rivera, [world.ana], cats["Off task"], "Talked in class.")
    recording.record_moments(world.rivera, [world.ana], cats["Helping others"], "Helped Cal.")
    (gone,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "Withdrawn.")
    recording.withdraw_moment(world.rivera, gone)
    cats["Unprepared"].visible_to_families = False
    cats["Unprepared"].save()
    recording.record_moments(world.rivera, [world.ana], cats["Unprepared"], "Hidden one.")
    response = login(world.rosa).get(feed_url(world.ana), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Traducido automáticamente" in html or "Traducción automática" in html
    assert "Helped Cal." in html  # the original, in the details
    assert html.index("Helping others") < html.index("Off task")
    assert "Withdrawn." not in html and "Hidden one." not in html
    assert "Gracias" in html and "Lo hablamos en casa" in html


def test_a_family_writes_to_the_teacher_by_name_whatever_her_gender(world, login, cats):
    """Spanish has no neutral "the teacher": the feed names the moment's author instead."""
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    client = login(world.rosa)
    name = world.rivera.full_name
    html = client.get(feed_url(world.ana), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Escribir a <bdi>" + name + "</bdi>" in html
    assert "maestro" not in html
    url = reverse("behavior:respond", args=[world.ana.pk, moment.pk])
    answer = client.post(url, {"kind": "message", "text": "Gracias."}, HTTP_ACCEPT_LANGUAGE="es")
    assert answer.status_code == 302
    html = client.get(feed_url(world.ana), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Usted envió un mensaje a <bdi>" + name + "</bdi>." in html
    # An author who has left cannot be written to: the family writes to the school.
    world.rivera.is_active = False
    world.rivera.save(update_fields=["is_active"])
    html = client.get(feed_url(world.ana), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Escribir a la escuela" in html and "Usted envió un mensaje a la escuela." in html


def test_notes_are_shown_as_text(world, login, cats):
    recording.record_moments(
        world.rivera, [world.ana], cats["Kindness"], "<script>alert(1)</script>"
    )
    html = login(world.marco).get(feed_url(world.ana)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    staff_html = (
        login(world.rivera)
        .get(reverse("behavior:student_moments", args=[world.ana.pk]))
        .content.decode()
    )
    assert "&lt;script&gt;" in staff_html and "<script>alert(1)" not in staff_html


def test_family_answers_and_a_message_opens_a_conversation_with_the_author(world, login, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    client = login(world.rosa)
    url = reverse("behavior:respond", args=[world.ana.pk, moment.pk])
    response = client.post(url, {"kind": "talked_at_home"}, **HTMX)
    assert FamilyResponse.objects.get().kind == "talked_at_home"
    client.post(url, {"kind": "message", "text": "¡Gracias, maestra!"})
    client.post(url, {"kind": "message", "text": "Otra cosa."})
    conversation = FamilyResponse.objects.filter(kind="message").first().conversation
    assert FamilyResponse.objects.filter(kind="message", conversation=conversation).count() == 2
    assert Conversation.objects.filter(student=world.ana).count() == 1  # continued, not a new one
    assert Participant.objects.filter(conversation=conversation, staff=world.rivera).exists()
    assert conversation.messages.count() == 2
    assert response.status_code == 200


def test_notification_choice_is_saved_from_the_feed(world, login):
    client = login(world.rosa)
    response = client.post(
        feed_url(world.ana), {"moment_notifications": "each", "daily_time": "19:30"}
    )
    assert response.status_code == 302
    world.rosa.refresh_from_db()
    assert notices.notification_choice(world.rosa) == ("each", "19:30")
    bad = client.post(feed_url(world.ana), {"moment_notifications": "each", "daily_time": "7pm"})
    assert bad.status_code == 400


def test_ratios_page_nudges_toward_good_news(world, login, cats):
    recording.record_moments(world.rivera, [world.cal], cats["Off task"])
    recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    html = login(world.rivera).get(reverse("behavior:ratios")).content.decode()
    only = html[html.index("Heard only needs-work") : html.index("never heard good news")]
    assert "Cal Nguyen" in only and "Ana Lopez" not in only
    link = f"{section_url(world.art)}?student={world.cal.pk}&amp;kind=positive"  # first by title
    assert link in html
    never = html[html.index("never heard good news") :]
    assert "Cal Nguyen" in never.split("points-heading")[0]


def test_insights_are_for_leaders_only(world, login, cats):
    recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    assert login(world.rivera).get(reverse("behavior:insights")).status_code == 404
    response = login(world.principal).get(reverse("behavior:insights"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="insights-data"' in html and "chart.umd.min.js" in html
    assert "Kindness" in html and "Maria Rivera" in html
    assert "Wei Chen" not in html  # recorded nothing: counted, not listed
    assert (
        "1 of 6 staff members recorded good news" in html
        and "5 staff members recorded none" in html
    )
    other = reverse("behavior:insights") + f"?school={world.south.pk}"
    assert login(world.principal).get(other).status_code == 404
    assert login(world.district_admin).get(other).status_code == 200


# ---- query counts do not grow with the data --------------------------------------------------


@pytest.mark.parametrize("page", ["feed", "section", "ratios"])
def test_query_counts_do_not_grow_with_the_data(
    world, login, cats, page, django_assert_num_queries
):
    for category in (cats["Kindness"], cats["Off task"]):
        recording.record_moments(world.rivera, [world.ana, world.cal], category, "Same note")
    person, url = {
        "feed": (world.rosa, feed_url(world.ana)),
        "section": (world.rivera, section_url(world.math)),
        "ratios": (world.rivera, reverse("behavior:ratios")),
    }[page]
    client = login(person)
    small = queries_of(client, url)
    grow(world, cats)
    client.get(url)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    if page == "feed":
        assert response.content.decode().count('class="moment ') == 20  # a full page


# Session, user, staff member, guardian, assignments (the signed-in layout), the section,
# the school's categories, the unread-messages count, the students. Asking who the teacher
# may record for reuses the signed-in viewer: no second user, staff, guardian and roles.
SECTION_RECORD_QUERIES = 9


def test_section_record_page_query_count(world, login, cats, django_assert_num_queries):
    client = login(world.rivera)
    with django_assert_num_queries(SECTION_RECORD_QUERIES):
        response = client.get(section_url(world.math))
    text = response.content.decode()
    assert text.count('name="students"') == 2  # Ana and Cal; Eve has left
    assert text.index("Kindness") < text.index("Off task")  # good news first


def test_student_moments_query_count_does_not_grow_with_the_data(
    world, login, cats, django_assert_num_queries
):
    """Moments by other staff are checked against the school's admins: the school comes with
    each moment, not one query per moment."""
    url = reverse("behavior:student_moments", args=[world.ana.pk])

    def add(count):
        for i in range(count):
            author = world.counselor if i % 2 else world.rivera
            (moment,) = recording.record_moments(author, [world.ana], cats["Kindness"], "Note")
            recording.respond(world.rosa, moment, "thank_you")
            recording.respond(world.marco, moment, "talked_at_home")

    add(2)
    client = login(world.rivera)
    small = queries_of(client, url)
    add(30)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count('class="moment ') == 20  # a full page


def nav(client):
    html = client.get(reverse("home"), follow=True).content.decode()
    return html.split("<nav aria-label=")[1].split("</nav>")[0]  # the main navigation


def test_the_navigation_leads_staff_to_recognition_and_admins_to_insights(world, login):
    ratios = f'href="{reverse("behavior:ratios")}">Recognition<'
    insights = f'href="{reverse("behavior:insights")}">Insights<'
    teacher = nav(login(world.rivera))
    assert ratios in teacher and insights not in teacher
    for admin in (world.principal, world.district_admin):
        html = nav(login(admin))
        assert ratios in html and insights in html
    family = nav(login(world.rosa))
    assert "/moments/" not in family


def test_the_ratios_page_links_to_each_class_recording_page(world, login):
    html = login(world.rivera).get(reverse("behavior:ratios")).content.decode()
    for section in (world.math, world.art):
        link = f'<a href="{section_url(section)}">Record<span class="visually-hidden"> — '
        assert link + f"{section.title}</span></a>" in html
    assert section_url(world.science) not in html
