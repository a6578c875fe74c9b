"""Every URL with an id, tried by every persona: who reaches the object and who gets a 404.

The objects are North's (Ana, Math 6, Ms Rivera's thread with Ana's family…, made by
`populate`). A persona outside the object's scope must get a 404 (never a 403 or a page, which
would confirm the object exists); one inside gets anything else — the page, a redirect after
an empty post, or a 403 for an action its role may not take on an object it may see. A new URL
with an id fails the completeness test until it is given its row here.
"""

import pytest
from django.urls import reverse

from homeroom.testing.personas import FAMILY_PERSONAS, STAFF_PERSONAS
from homeroom.testing.populated import named_urls, populate, url_args

PERSONAS = STAFF_PERSONAS + FAMILY_PERSONAS
NORTH_STAFF = {"rivera", "liaison", "counselor", "interpreter", "principal", "district_admin"}

# Who reaches each URL's object (everyone else: 404). South's people, the other district's
# admin, Ray (barred by a court order), Eli (no active child) and Olga (South) reach nothing.
REACH = {
    "student_detail": NORTH_STAFF | {"rosa", "marco"},
    "section_detail": NORTH_STAFF | {"rosa", "marco", "gina"},
    "guardian_detail": NORTH_STAFF | {"rosa"},
    "school_detail": NORTH_STAFF | {"chen", "rosa", "marco", "gina"},
    "invite_section": NORTH_STAFF | {"rosa", "marco", "gina"},
    "invite_school": NORTH_STAFF | {"chen", "rosa", "marco", "gina"},
    "invite_guardian": {
        "chen",
        "liaison",
        "counselor",
        "interpreter",
        "principal",
        "district_admin",
    },
    "join_accept": set(),
    "import_detail": {"district_admin"},
    "conversation": {"rivera", "principal", "district_admin", "rosa", "marco"},
    "conversation_detail": {"rivera", "principal", "district_admin", "rosa", "marco"},
    "behavior:section_record": NORTH_STAFF,
    "behavior:student_moments": NORTH_STAFF,
    "behavior:correct": NORTH_STAFF,
    "behavior:review": NORTH_STAFF,
    "behavior:child_feed": {"rosa", "marco"},
    "behavior:respond": {"rosa", "marco"},
    "interpreter_resolve": {"liaison", "interpreter", "principal"},
    "correct_translation": {"rivera", "interpreter", "principal", "district_admin"},
    "flag_confusing": {"rosa", "marco"},
    "routines:weekly": NORTH_STAFF,
    "routines:save_sentence": NORTH_STAFF,
    "routines:preview": NORTH_STAFF,
    "routines:send": NORTH_STAFF,
    "routines:reminder": NORTH_STAFF,
    "routines:coverage": NORTH_STAFF,
    "routines:checkin_log": {"rivera"},
    "routines:timeline": NORTH_STAFF,
    "routines:story": {"rosa", "marco"},
    "routines:visits": NORTH_STAFF,
    "routines:visit": {"rosa"},
    "routines:visit_notes": {"rivera"},
    "routines:invite_stories": NORTH_STAFF,
    # A survey Ms Rivera sent Math 6's families: North's staff see its results; the families
    # of the class answer it (not Ray, who may not be contacted).
    "voice:group_new": {"rosa"},
    "gatherings:group_new": {"rosa"},
    "voice:preview": NORTH_STAFF | {"chen"},
    "voice:results": NORTH_STAFF | {"chen"},
    "voice:csv": NORTH_STAFF | {"chen"},
    "voice:answer": {"rosa", "marco", "gina"},
    # ---- shared goals: Ana's goal, agreed by Rosa and Ms Rivera. North's staff read it (an
    # admin or interpreter is refused the writes with a 403); both of Ana's guardians, of a
    # split household, see it; Ray (court order) and Mr Chen (not her teacher) get a 404.
    **{
        f"goals:{name}": NORTH_STAFF | {"rosa", "marco"}
        for name in (
            "student",
            "propose",
            "goal",
            "agree",
            "decline",
            "edit",
            "add_strategy",
            "add_note",
            "outcome",
            "renew",
            "note_photo",
        )
    },
    # ---- family voice. The engagement survey went to North's families; a decision to Math 6's
    # families, staff of North see its results. North's academy: Rosa leads it, Gina is a member
    # and proposed a topic; only a leader posts, picks topics and schedules sessions, a school
    # admin appoints leaders. Every family of North is in its circle (joined, may leave).
    "voice:engagement:confirm": {"rosa", "marco", "gina"},
    "decisions:preview": NORTH_STAFF | {"chen"},
    "decisions:results": NORTH_STAFF | {"chen"},
    "decisions:vote": {"rosa", "marco", "gina"},
    "groups:detail": NORTH_STAFF | {"chen", "rosa", "marco", "gina"},
    "groups:join": {"rosa", "marco", "gina"},
    "groups:leave": {"rosa", "marco", "gina"},
    "groups:leaders": {"principal", "district_admin"},
    "groups:leader_remove": {"principal", "district_admin"},
    "groups:members": NORTH_STAFF | {"chen", "rosa"},
    "groups:post": {"rosa"},
    "groups:post_hide": NORTH_STAFF | {"chen"},
    "groups:topic": {"rosa", "gina"},
    "groups:vote": {"rosa", "gina"},
    "groups:pick": {"rosa"},
    "groups:session_new": {"rosa"},
    # Rosa's suggestion to North: its families read and support it (only Rosa may hide it, the
    # others are told so), its staff answer it.
    "suggestions:detail": {"rosa", "marco", "gina"},
    "suggestions:support": {"rosa", "marco", "gina"},
    "suggestions:visibility": {"rosa", "marco", "gina"},
    "suggestions:staff_detail": NORTH_STAFF | {"chen"},
    "suggestions:said_and_done": NORTH_STAFF | {"chen", "rosa", "marco", "gina"},
    # ---- gatherings: Ms Rivera's evening for Math 6's families ----
    "gatherings:organise": NORTH_STAFF | {"chen"},
    "gatherings:board": NORTH_STAFF | {"chen"},
    "gatherings:family": {"rosa", "marco", "gina"},
    "gatherings:ics": NORTH_STAFF | {"chen", "rosa", "marco", "gina"},
    # Math night's rides: its organisers (North's staff) and the families it is for.
    "gatherings:rides": NORTH_STAFF | {"chen"},
    "gatherings:ride": {"rosa", "marco", "gina"},
    # Ms Rivera's conference hours: hers, and North's office and admins see them (Mr Chen,
    # another teacher, does not); the event's volunteer shifts, as the event itself.
    "gatherings:slots_block": NORTH_STAFF,
    "gatherings:shifts": NORTH_STAFF | {"chen"},
    "gatherings:volunteer": {"rosa", "marco", "gina"},
    # Ms Rivera's picnic yesterday, which Rosa came to.
    "gatherings:attendance": NORTH_STAFF | {"chen"},
    "gatherings:how_was_it": {"rosa"},
    # Only the teacher of Math 6 opens it on her home; seeing it school-wide is not enough.
    "staff_home_roster": {"rivera"},
    # insights: a school's figures, for its admins and the district admin
    "insights:school": {"principal", "district_admin"},
    "insights:school_csv": {"principal", "district_admin"},
}


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.CountingProvider"]}


def _with_ids():
    return sorted(name for name, has_args in named_urls() if has_args)


def test_every_url_with_an_id_has_its_row():
    assert sorted(REACH) == _with_ids()


def _answer(client, url) -> int:
    """A GET; for a URL that only takes posts, an empty POST (a form error or a redirect shows
    the view let the persona in; a 404 that it did not)."""
    status = client.get(url).status_code
    return client.post(url, {}).status_code if status == 405 else status


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reaches_exactly_its_objects(world, login, persona):
    args = url_args(world, populate(world))
    client = login(getattr(world, persona))

    answers = {name: _answer(client, reverse(name, args=args[name])) for name in REACH}

    assert not {name: code for name, code in answers.items() if code >= 500}
    reached = {name for name, code in answers.items() if code != 404}
    assert reached == {name for name, who in REACH.items() if persona in who}
