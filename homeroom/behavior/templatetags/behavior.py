from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    """mapping[key] in a template, for keys with double underscores."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current page's query string with another page number (filters are kept)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
