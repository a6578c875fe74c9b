"""Ms Principal makes a parent academy and Marco its parent leader; Rosa joins from her
phone, in Spanish; Marco schedules a session (a past date is refused) and posts to the
members under the group's rule; Rosa reads the post in Spanish, the original one tap away."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from homeroom.messaging.models import Delivery
from homeroom.testing.personas import build_world, give_totp
from homeroom.transports import outbound
from homeroom.voice.models import AcademySession, Group, GroupLeader, GroupMember, GroupPost

from .conftest import check_page
from .journeys import (
    current_totp,
    sign_in_by_code,
    sign_in_with_password,
    sign_out,
    without_quiet_hours,
)


def test_a_parent_leader_schedules_and_posts_and_a_spanish_member_reads_it(
    page, transactional_db, settings
):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }
    world = build_world()
    without_quiet_hours(world)

    # The school admin makes the group and its parent leader.
    give_totp(world.principal.user)
    sign_in_with_password(page, world.principal.user.email)
    page.locator("input[name=code]").fill(current_totp("JBSWY3DPEHPK3PXP"))
    page.locator("input[name=code]").press("Enter")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", name="Parent-led groups")).to_be_visible()
    page.get_by_role("link", name="New group").click()
    page.locator("#id_name").fill("Parent academy")
    page.get_by_label("What the group is for").fill("Evenings where families learn together.")
    page.locator("input[name=languages][value=es]").check()
    page.locator("input[name=languages][value=en]").check()
    page.get_by_label("A parent academy").check()
    check_page(page, "group-new")
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("heading", name="Parent leaders")).to_be_visible()
    page.locator("#id_guardian").select_option(label="Marco Lopez")
    page.get_by_role("button", name="Make a parent leader").click()
    expect(
        page.get_by_text("Marco Lopez is now a parent leader of Parent academy.")
    ).to_be_visible()
    check_page(page, "group-leaders")
    group = Group.objects.get()
    assert group.is_academy and sorted(group.languages) == ["en", "es"]
    assert GroupLeader.objects.filter(group=group, guardian=world.marco).exists()
    sign_out(page)

    # Rosa joins, in Spanish.
    outbound.outbox.clear()
    rosa_phone = str(world.rosa.phone)
    sign_in_by_code(page, rosa_phone, rosa_phone)
    page.get_by_role("navigation").get_by_role("link", name="Grupos").click()
    expect(page.get_by_role("heading", name="Grupos dirigidos por padres")).to_be_visible()
    page.get_by_role("link", name="Parent academy").click()
    page.get_by_role("button", name="Unirse al grupo").click()
    expect(page.get_by_text("Se unió al grupo.")).to_be_visible()
    assert GroupMember.objects.filter(group=group, guardian=world.rosa).exists()
    sign_out(page)

    # Marco, the parent leader, schedules a session and posts.
    outbound.outbox.clear()
    marco_phone = str(world.marco.phone)
    sign_in_by_code(page, marco_phone, marco_phone)
    page.get_by_role("navigation").get_by_role("link", name="Groups").click()
    page.get_by_role("link", name="Parent academy").click()
    page.get_by_role("link", name="Schedule a session").click()
    page.locator("#id_title").fill("Reading at home")
    page.locator("#id_day").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.locator("#id_start").fill("18:30")
    page.locator("#id_place").fill("School library")
    page.locator("#id_language").select_option("es")
    page.get_by_role("button", name="Schedule it").click()
    expect(page.get_by_text("Choose a date and time in the future.")).to_be_visible()
    assert not AcademySession.objects.exists()
    check_page(page, "group-session-refused")
    page.locator("#id_day").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Schedule it").click()
    expect(page.get_by_text("The session is scheduled: members see it now.")).to_be_visible()
    expect(page.get_by_text("The group's rule: no discussing a named child.")).to_be_visible()
    page.locator("#id_text").fill("Ana Lopez will read with us.")
    page.get_by_role("button", name="Send to the members").click()
    expect(page.get_by_text("Group posts may not discuss a named child")).to_be_visible()
    assert not GroupPost.objects.exists()
    page.locator("#id_text").fill("See you on Tuesday at the library. Bring a book.")
    page.get_by_role("button", name="Send to the members").click()
    expect(page.get_by_text("Your post has been sent to the group's members.")).to_be_visible()
    check_page(page, "group-leader")
    post = GroupPost.objects.get()
    delivery = Delivery.objects.get(message__conversation=post.conversation, guardian=world.rosa)
    assert delivery.channel == "sms" and delivery.language == "es" and not delivery.untranslated
    sign_out(page)

    # Rosa reads the post in Spanish, on her phone, and the original one tap away.
    outbound.outbox.clear()
    sign_in_by_code(page, rosa_phone, rosa_phone)
    page.get_by_role("navigation").get_by_role("link", name="Grupos").click()
    page.get_by_role("link", name="Parent academy").click()
    article = page.locator(f"#post-{post.pk}")
    expect(article).to_contain_text("biblioteca")
    expect(article).to_contain_text("Traducida para usted.")
    expect(page.get_by_text("School library")).to_be_visible()
    check_page(page, "group-member-spanish")
    article.get_by_role("link", name="Ver el original").click()
    expect(page.locator(f"#post-{post.pk}")).to_contain_text(
        "See you on Tuesday at the library. Bring a book."
    )
