"""Language tags: Homeroom speaks BCP 47; providers key their pairs by the base language."""


def base_language(tag: str | None) -> str:
    """ "es-MX" → "es", "zh_Hant" → "zh"; a translation is made once per base language."""
    return (tag or "").strip().replace("_", "-").split("-")[0].lower()


def same_language(a: str | None, b: str | None) -> bool:
    return base_language(a) == base_language(b)
