"""Suggestions with a visible life: families send them, staff move them along, everyone sees
what became of them ("you said, we did"). See docs/voice.md, "Suggestions"."""
