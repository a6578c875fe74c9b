"""Rosa tells the school about Ana in Spanish; Ms Rivera reads it in English, original kept."""

import re

from playwright.sync_api import expect

from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out

STORY = (
    "Ana ama dibujar animales y leer libros de aventuras con su hermano. "
    "Es muy buena en matemáticas, pero le preocupa hablar delante de la clase."
)


def test_rosa_writes_in_spanish_and_ms_rivera_reads_it_in_english(page, transactional_db):
    world = build_world()

    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    page.goto(f"/routines/story/{world.ana.pk}/")
    expect(page.get_by_role("heading", name="Cuéntenos sobre Ana")).to_be_visible()
    check_page(page, "family-story-empty")

    page.get_by_role("button", name="Guardar").click()  # nothing written yet
    expect(page.get_by_role("alert")).to_contain_text("Escriba unas palabras")
    check_page(page, "family-story-empty-refused")

    page.get_by_label("Sobre Ana").fill(STORY)
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Su historia está guardada")).to_be_visible()
    expect(page.get_by_label("Sobre Ana")).to_have_value(STORY)
    check_page(page, "family-story-saved")
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/students/{world.ana.pk}/")
    stories = page.locator("section.family-stories")
    expect(stories.get_by_role("heading", name="In the family's words")).to_be_visible()
    expect(stories).to_contain_text("Rosa Lopez")
    expect(stories.locator("[lang=en]")).to_contain_text(re.compile("Ana"))
    original = stories.locator("details.original")
    expect(original.locator("[lang=es]")).to_be_hidden()
    original.get_by_text("written in Spanish — see original").click()
    expect(original.locator("[lang=es]")).to_contain_text("le preocupa hablar delante")
    check_page(page, "staff-student-family-story")


def test_rosa_chooses_a_time_for_the_home_visit(page, transactional_db):
    from datetime import timedelta

    from django.utils import timezone

    from homeroom.routines import visits
    from homeroom.routines.models import HomeVisit, VisitStatus

    world = build_world()
    at = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    visit = visits.propose_home_visit(world.liaison, world.ana, world.rosa, [at])

    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    page.goto(f"/routines/visits/{visit.pk}/")
    expect(page.get_by_role("heading", name="Una visita a casa")).to_be_visible()
    check_page(page, "family-home-visit")
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Su respuesta está guardada")).to_be_visible()
    assert HomeVisit.objects.get().status == VisitStatus.CONFIRMED
    sign_out(page)

    sign_in_with_password(page, world.liaison.user.email)
    page.goto(f"/routines/students/{world.ana.pk}/visits/")
    expect(page.get_by_text("Visit confirmed:")).to_be_visible()
    check_page(page, "staff-home-visits")
