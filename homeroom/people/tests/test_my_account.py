"""My account: who is signed in and with what, and where to change it. The lightest page
with the whole layout (the benchmarks' signed-in floor): its query count is pinned."""

from django.urls import reverse

URL = reverse("my_account")
# Session, user, staff member, guardian, assignments with their schools' time zones, the
# unread-messages count in the navigation. Admins: + the TOTP check, the reader time zone.
STAFF_QUERIES = 6


def test_a_teacher_sees_how_she_signs_in_and_where_to_change_it(world, login):
    client = login(world.rivera)
    text = client.get(URL).content.decode()
    assert "Signed in as" in text and "Maria Rivera" in text
    assert world.rivera.user.email in text
    assert reverse("account_change_password") in text
    assert reverse("staff_preferences") in text
    assert reverse("mfa_index") not in text  # two-step sign-in is for admins
    # Found from her settings.
    assert URL in client.get(reverse("staff_preferences")).content.decode()


def test_an_admin_finds_the_two_step_sign_in(world, login):
    text = login(world.principal).get(URL).content.decode()
    assert reverse("mfa_index") in text


def test_a_family_signs_in_by_code_and_has_no_password(world, login):
    client = login(world.rosa)
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rosa Lopez" in text
    assert reverse("account_change_password") not in text
    assert reverse("family_preferences") in text and reverse("staff_preferences") not in text
    assert URL in client.get(reverse("family_preferences")).content.decode()


def test_the_floor_query_count(world, login, django_assert_num_queries):
    client = login(world.rivera)
    with django_assert_num_queries(STAFF_QUERIES):
        assert client.get(URL).status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
