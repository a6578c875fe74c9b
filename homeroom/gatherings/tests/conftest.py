from homeroom.testing.fixtures import _plain_translation, awake  # noqa: F401
