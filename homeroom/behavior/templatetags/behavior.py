from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    """mapping[key] in a template, for keys with double underscores."""
    return mapping.get(key) if hasattr(mapping, "get") else None
