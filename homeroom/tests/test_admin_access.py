"""The Django admin sees every school's records and court orders. It has no password form of
its own: Homeroom's sign-in (allauth: rate limits, TOTP) is the only way in, and only for an
active superuser who has TOTP and passed it."""

import pytest
from django.urls import reverse

from homeroom.people.models import User
from homeroom.testing import personas
from homeroom.testing.personas import PASSWORD, give_totp

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")
ADMIN_COURT_ORDERS = reverse("admin:people_guardianship_changelist")
LOGIN = reverse("account_login")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.org", PASSWORD)


def sign_in_with_totp(client, user, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    return personas.sign_in_with_totp(client, user)


def test_the_admin_login_takes_no_password_and_sends_to_the_sign_in(client, superuser):
    response = client.post(ADMIN_LOGIN, {"username": superuser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN)["Location"].startswith(ADMIN_LOGIN)


def test_forty_wrong_passwords_at_the_admin_are_not_tried_and_the_sign_in_limits_them(
    client, superuser, settings
):
    # The suite turns rate limits off; this test is about the project's own.
    from homeroom import settings as project_settings

    settings.ACCOUNT_RATE_LIMITS = project_settings.ACCOUNT_RATE_LIMITS
    for _ in range(40):
        response = client.post(ADMIN_LOGIN, {"username": superuser.email, "password": "wrong"})
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session

    limited = []
    for n in range(40):
        response = client.post(LOGIN, {"login": superuser.email, "password": f"wrong-{n}"})
        text = response.content.decode()
        limited.append(response.status_code == 429 or "Too many tries" in text)
    assert limited[:5] == [False] * 5  # five tries, each told the password is wrong
    assert all(limited[5:])  # then only "too many tries", the password not even checked
    # Even the right password is not tried while the limit holds.
    right = client.post(LOGIN, {"login": superuser.email, "password": PASSWORD})
    assert right.status_code in {200, 429}
    assert "_auth_user_id" not in client.session


def test_a_superuser_without_totp_cannot_reach_the_admin(client, superuser):
    response = client.post(LOGIN, {"login": superuser.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(superuser.pk)
    page = client.get(ADMIN_COURT_ORDERS, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    assert client.get(ADMIN)["Location"].startswith(ADMIN_LOGIN)


def test_a_superuser_with_totp_who_skipped_it_must_pass_it(client, superuser):
    give_totp(superuser)
    client.force_login(superuser)  # signed in, but no TOTP code in this session
    page = client.get(ADMIN, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))


def test_a_superuser_who_passed_totp_reaches_the_admin(client, superuser, settings, world):
    sign_in_with_totp(client, superuser, settings)
    assert client.get(ADMIN).status_code == 200
    court_orders = client.get(ADMIN_COURT_ORDERS)
    assert court_orders.status_code == 200
    assert "Ray" in court_orders.content.decode()


@pytest.mark.parametrize(
    "who", ["south_admin", "principal", "district_admin", "elsewhere_admin", "rivera"]
)
def test_staff_who_are_not_superusers_are_turned_away_even_with_totp(client, world, who, settings):
    user = getattr(world, who).user
    user.is_staff = True  # even if someone ticked "staff status" for them
    user.save()
    sign_in_with_totp(client, user, settings)
    for path in (ADMIN, ADMIN_COURT_ORDERS):
        response = client.get(path, follow=True)
        assert response.status_code == 403
        assert "Ray" not in response.content.decode()


@pytest.mark.parametrize("who", ["ray", "olga", "rosa"])
def test_families_are_turned_away(client, world, who):
    user = getattr(world, who).user
    user.is_staff = True
    user.save()
    client.force_login(user)
    for path in (ADMIN, ADMIN_COURT_ORDERS, ADMIN_LOGIN):
        response = client.get(path, follow=True)
        assert response.status_code == 403
        assert "Ray" not in response.content.decode()
