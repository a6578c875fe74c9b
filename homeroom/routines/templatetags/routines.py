from django import template

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name

from ..stories import stories_for_staff

register = template.Library()


@register.inclusion_tag("routines/partials/family_stories.html", takes_context=True)
def family_stories(context, student):
    """The families' stories of a student, in English with the original kept, for staff."""
    stories = stories_for_staff(context["request"].user, student)
    for story in stories:
        story.in_english = base_language(story.language) == STAFF_LANGUAGE
        story.language_label = language_name(story.language)
    return {"stories": stories}
