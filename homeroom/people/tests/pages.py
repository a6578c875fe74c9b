"""Reading a rendered page in tests: its form controls, labels and ids, and the signed-in user."""

from html.parser import HTMLParser


class _Page(HTMLParser):
    """The form controls, labels and element ids of a page, for accessibility checks."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in {"input", "select", "textarea"}:
            self.controls.append({"tag": tag, **attrs})
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])

    def control(self, name: str, **match) -> dict:
        found = [
            c
            for c in self.controls
            if c.get("name") == name and all(c.get(k) == v for k, v in match.items())
        ]
        assert found, f"no control named {name!r} matching {match}"
        return found[0]


def page_of(response) -> _Page:
    return _Page(response.content.decode())


def assert_labelled(page: _Page) -> None:
    """Every visible control has a label, and whatever describes it exists on the page."""
    for control in page.controls:
        if control.get("type") in {"hidden", "submit", "radio"}:
            continue
        assert control.get("id") in page.label_for, f"unlabelled control {control}"
        for described_by in control.get("aria-describedby", "").split():
            assert described_by in page.ids, f"{control} points at missing #{described_by}"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")
