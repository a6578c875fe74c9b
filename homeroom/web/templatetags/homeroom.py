from django import template

from homeroom.people.languages import language_name as _language_name

register = template.Library()


@register.filter
def language_name(code):
    return _language_name(code)
