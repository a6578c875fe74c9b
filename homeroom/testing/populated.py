"""A world with something on every page, and the app's own named URLs with arguments for each.

Shared by the checks that walk every page: bad input everywhere (web) and who reaches which
object (the access matrix)."""

from datetime import time, timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from homeroom.behavior import recording as behavior
from homeroom.behavior.models import Category
from homeroom.gatherings import rides as ride_network
from homeroom.gatherings import services as gatherings
from homeroom.gatherings import slots
from homeroom.gatherings.models import Event, SlotBlock
from homeroom.goals import services as goals
from homeroom.goals.models import Goal
from homeroom.messaging import interpreters
from homeroom.messaging import services as messaging
from homeroom.messaging.models import InterpreterRequest
from homeroom.people.models import RosterImport
from homeroom.routines import checkins, common, stories, visits, weekly
from homeroom.routines.models import HomeVisit, PlannedContact
from homeroom.voice import services as voice
from homeroom.voice.decisions import services as decisions
from homeroom.voice.engagement import services as engagement
from homeroom.voice.groups import services as groups
from homeroom.voice.models import Decision, Group, Survey
from homeroom.voice.suggestions import services as suggestions

# Not pages of the app: sign-in flows, the Django admin, language switch, webhooks, files.
SKIPPED = ("/accounts/", "/django-admin/", "/i18n/", "/webhooks/", "/messages/media/", "/healthz")


def populate(world):
    """Something on every page: moments, conversations, a weekly update, a plan, a visit, a
    story, an interpreter's request, a roster import, surveys, a decision, a parent-led group,
    a suggestion, an event and a shared goal."""
    behavior.ensure_default_categories(world.north)
    good = Category.objects.filter(
        school=world.north, kind="positive", visible_to_families=True, is_active=True
    ).first()
    needs_work = Category.objects.filter(school=world.north, kind="needs_work").first()
    behavior.record_moments(world.rivera, [world.ana, world.cal], good, "Helped a classmate")
    behavior.record_moments(world.rivera, [world.ana], needs_work, "Forgot homework")
    conversation = messaging.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read aloud today."
    )
    messaging.send_message(conversation, text="Gracias, maestra.", by_guardian=world.rosa)
    untranslated = messaging.start_conversation(
        student=world.ben, by_staff=world.chen, text="Ben asked good questions."
    )
    interpreters.ask_interpreter(untranslated.messages.first(), ["so"], by_staff=world.chen)
    today = common.local_today(world.north)
    update = weekly.weekly_update_for(world.math, world.rivera, common.week_start_of(today))
    weekly.save_sentence(update, world.ana, "Ana solved every fraction problem this week.")
    checkins.create_plan(world.rivera, cycle_days=14, call_days=list(range(7)), section=world.math)
    visits.propose_home_visit(
        world.rivera, world.ana, world.rosa, [timezone.now() + timedelta(days=3)]
    )
    stories.save_story(world.ana, world.rosa, "Ana loves drawing horses.")
    RosterImport.objects.create(
        district=world.district, started_by=world.district_admin, file_name="roster.zip"
    )
    survey = voice.create_survey(
        world.rivera,
        title="Conference times",
        intro="",
        closes_at=timezone.now() + timedelta(days=7),
        anonymous=False,
        audience=voice.Audience.section(world.math),
        questions=[voice.QuestionDraft("single", "Which day?", True, ["Monday", "Friday"])],
    )
    voice.send_survey(survey, world.rivera)
    # ---- family voice: the engagement survey, a decision, an academy, a suggestion ----------
    voice.send_survey(
        engagement.start_engagement_survey(world.principal, voice.Audience.school(world.north)),
        world.principal,
    )
    decision = decisions.create_decision(
        world.rivera,
        question="Which time for conferences?",
        intro="",
        options=["4 pm", "6 pm"],
        closes_at=timezone.now() + timedelta(days=7),
        ranked=False,
        audience=voice.Audience.section(world.math),
    )
    decisions.send_decision(decision, world.rivera)
    academy = groups.create_group(
        world.principal,
        world.north,
        name="Parent academy",
        description="",
        languages=["es", "en"],
        is_academy=True,
    )
    groups.appoint_leader(world.principal, academy, world.rosa)
    groups.join(academy, world.gina)
    groups.post_to_group(academy, world.rosa, "Nos vemos el jueves.")
    groups.propose_topic(academy, world.gina, title="Homework help", details="")
    # Every family of North is in the circle: joining it again or leaving it changes nothing
    # the other rows read.
    circle = groups.create_group(
        world.principal,
        world.north,
        name="Families' circle",
        description="",
        languages=["es"],
        is_academy=False,
    )
    for guardian in (world.rosa, world.marco, world.gina):
        groups.join(circle, guardian)
    suggestions.send_suggestion(world.rosa, world.north, "More bike racks, please.")
    # ---- gatherings: an evening for Math 6's families ---------------------------------------
    starts = timezone.now() + timedelta(days=10)
    event = gatherings.create_event(
        world.rivera,
        title="Math night",
        description="",
        place="Library",
        audience=voice.Audience.section(world.math),
        capacity=None,
        when=gatherings.Slot(starts, starts + timedelta(hours=2)),
    )
    gatherings.invite(event, world.rivera)
    # ---- rides: North's areas; Gina drives Math night's families from Eastside ----------
    areas = ride_network.save_areas(world.north, [("Eastside", "5", "0"), ("55104", "0", "3")])
    gatherings.respond(event, world.gina, coming=True)
    ride_network.offer_seats(event, world.gina, area_id=areas[0].pk, seats=3)
    # ---- sign-up slots: Ms Rivera's conference hours, Rosa's booking about Ana, a shift ----
    day = common.local_today(world.north) + timedelta(days=10)
    block = slots.publish_block(
        world.rivera, world.north, day=day, starts=time(15), ends=time(17), slot_minutes=15
    )
    slots.book(block.slots.first(), world.rosa, world.ana, interpreter_language="es")
    slots.add_shift(
        event,
        title="Set up the tables",
        starts_at=starts - timedelta(hours=1),
        ends_at=starts,
        headcount=2,
    )
    # A picnic that took place yesterday: Rosa came (attendance, "how was it?").
    picnic = gatherings.create_event(
        world.rivera,
        title="Picnic",
        description="",
        place="Park",
        audience=voice.Audience.section(world.math),
        capacity=None,
        when=gatherings.Slot(starts, starts + timedelta(hours=2)),
    )
    gatherings.invite(picnic, world.rivera)
    gatherings.respond(picnic, world.rosa, coming=True)
    yesterday = timezone.now() - timedelta(days=1)
    type(picnic).objects.filter(pk=picnic.pk).update(
        starts_at=yesterday, ends_at=yesterday + timedelta(hours=2)
    )
    # ---- shared goals: one agreed between Rosa and Ms Rivera, with a photo note ----------
    goal = goals.propose_goal(
        world.ana,
        goals.Person(side="family", guardian=world.rosa),
        what="Ana lee veinte minutos cada noche.",
        measure="Termina dos libros.",
        strategies=[goals.StrategyInput("Leemos juntas", "home", "Rosa")],
    )
    goals.agree(goal, goals.Person(side="school", staff=world.rivera))
    goals.add_note(
        goal,
        goals.Person(side="family", guardian=world.rosa),
        text="Leímos juntas.",
        photo=("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16),
    )
    return conversation


def url_args(world, conversation) -> dict:
    """Arguments for each named URL with arguments, about what `populate` made: ids a
    persona may or may not reach."""
    message = conversation.messages.order_by("pk").first()
    request = InterpreterRequest.objects.first()
    moment = world.ana.moments.order_by("pk").first()
    visit = HomeVisit.objects.first()
    # One of Ms Rivera's planned check-ins with Ana's family.
    checkin = PlannedContact.objects.filter(student=world.ana).order_by("pk").first()
    roster_import = RosterImport.objects.first()
    survey = Survey.objects.order_by("pk").first()
    engagement_survey = Survey.objects.order_by("pk").last()
    decision = Decision.objects.first()
    academy, circle = Group.objects.order_by("pk")
    post = academy.posts.first()
    topic = academy.topics.first()
    suggestion = academy.school.suggestions.first()
    event = Event.objects.get(title="Math night")
    picnic = Event.objects.get(title="Picnic")
    goal = Goal.objects.first()
    return {
        # ---- family voice ----
        "voice:engagement:confirm": [engagement_survey.pk],
        "decisions:preview": [decision.pk],
        "decisions:results": [decision.pk],
        "decisions:vote": [decision.pk],
        **{
            f"groups:{name}": [academy.pk]
            for name in (
                "detail",
                "leaders",
                "leader_remove",
                "members",
                "post",
                "topic",
                "session_new",
            )
        },
        "groups:join": [circle.pk],
        "groups:leave": [circle.pk],
        "groups:post_hide": [academy.pk, post.pk],
        "groups:vote": [academy.pk, topic.pk],
        "groups:pick": [academy.pk, topic.pk],
        "suggestions:detail": [suggestion.pk],
        "suggestions:support": [suggestion.pk],
        "suggestions:visibility": [suggestion.pk],
        "suggestions:staff_detail": [suggestion.pk],
        "suggestions:said_and_done": [world.north.pk],
        # ---- gatherings ----
        **{f"gatherings:{name}": [event.pk] for name in ("organise", "board", "ics", "family")},
        "gatherings:rides": [event.pk],
        "gatherings:ride": [event.pk],
        "gatherings:slots_block": [SlotBlock.objects.first().pk],
        "gatherings:shifts": [event.pk],
        "gatherings:volunteer": [event.pk],
        "gatherings:attendance": [picnic.pk],
        "gatherings:how_was_it": [picnic.pk],
        # ---- shared goals ----
        **{
            f"goals:{name}": [goal.pk]
            for name in (
                "goal",
                "agree",
                "decline",
                "edit",
                "add_strategy",
                "add_note",
                "outcome",
                "renew",
            )
        },
        "goals:student": [world.ana.pk],
        "goals:propose": [world.ana.pk],
        "goals:note_photo": [goal.notes.first().pk],
        "voice:group_new": [academy.pk],
        "gatherings:group_new": [academy.pk],
        "voice:preview": [survey.pk],
        "voice:results": [survey.pk],
        "voice:csv": [survey.pk],
        "voice:answer": [survey.pk],
        "behavior:section_record": [world.math.pk],
        "behavior:student_moments": [world.ana.pk],
        "behavior:correct": [moment.pk],
        "behavior:review": [moment.pk],
        "behavior:child_feed": [world.ana.pk],
        "behavior:respond": [world.ana.pk, moment.pk],
        "student_detail": [world.ana.pk],
        "section_detail": [world.math.pk],
        "staff_home_roster": [world.math.pk],
        "guardian_detail": [world.rosa.pk],
        "school_detail": [world.north.pk],
        # insights: a school's figures
        "insights:school": [world.north.pk],
        "insights:school_csv": [world.north.pk],
        "invite_section": [world.math.pk],
        "invite_school": [world.north.pk],
        "invite_guardian": [world.pat.pk],
        "join_accept": ["not-a-token"],
        "import_detail": [roster_import.pk],
        "routines:weekly": [world.math.pk],
        "routines:save_sentence": [world.math.pk, world.ana.pk],
        "routines:preview": [world.math.pk],
        "routines:send": [world.math.pk],
        "routines:reminder": [world.math.pk],
        "routines:coverage": [world.math.pk],
        "routines:checkin_log": [checkin.pk],
        "routines:timeline": [world.ana.pk],
        "routines:story": [world.ana.pk],
        "routines:visits": [world.ana.pk],
        "routines:visit": [visit.pk],
        "routines:visit_notes": [visit.pk],
        "routines:invite_stories": [world.math.pk],
        "interpreter_resolve": [request.pk],
        "correct_translation": [message.pk, "es"],
        "flag_confusing": [message.pk],
        "conversation": [conversation.pk],
        "conversation_detail": [conversation.pk],
    }


def named_urls(resolver=None, namespace="", prefix=""):
    """(name, has arguments) of every named URL of the app's own URL conf."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(skip.lstrip("/")) for skip in SKIPPED):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry, inner, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", bool(entry.pattern.converters)
