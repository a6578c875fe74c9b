"""Dates as families read them: in words, in the reader's language, never "02/12/2026"
(which a US family reads as February and a Spanish reader as December). Django's own
locale formats fill in every key not set here (input formats, separators)."""
