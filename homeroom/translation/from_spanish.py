"""Apertium's Spanish→English for a family's reply, made to read as English.

Each repair is grammar or a word sense the engine gets wrong in families' messages, never a
whole sentence (whole sentences are the phrasebook's): Spanish says days and hours with an
article ("el martes", "a las 4"), drops the subject ("porque tiene fiebre", "hablé con él",
"¿Puede llamarme?" said to the teacher), asks without inverting ("¿La excursión es el
viernes?"), marks a person object with "a" ("recoger al niño"), and has words whose first
English sense is not the school's ("salir" is to leave, "avisar" to let someone know,
"enfermo" sick). A repair that needs to know what the family wrote reads `original`, the
Spanish sentence; none reaches past the sentence it is given.
"""

import re

_DAY = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_AFTER_PREPOSITION_THE_DAY = re.compile(
    r"\b(on|until|by|for|from|since|before|after|of|to|next|this) the " + _DAY + r"\b"
)
_THE_DAY = re.compile(r"\bthe " + _DAY + r"\b")
_AT_THE_HOUR = re.compile(r"\b(?:to|at) the (\d{1,2}(?::\d{2})?)(?!\d|:|\s*(?:%|of\b))")
_PREPOSITION_THE_HOUR = re.compile(
    r"\b(after|before|until|from|since) the (\d{1,2}(?::\d{2})?)(?!\d|:|\s*(?:%|of\b))"
)
_THANK_YOU_FOR = re.compile(r"\b(Thank you|Thanks) (?:For|By)\b")
_ALREADY_I = re.compile(r"^Already I (?=\w)")
_ASKING_YOU = re.compile(
    r"^(?:It |He |She )?([Cc]an|[Cc]ould) (?!(?:you|I|we|he|she|it|they|be)\b)"
)
_QUESTION_IT_IS = re.compile(r"^(What time|When|Where|How much|How) it (is|was) ")
# "Gracias, maestra": the tagger reads a teacher addressed by title as the adjective
# ("master"); a family's "maestra" is always the teacher.
_MAESTRA = re.compile(r"\bmaestr[ao]s?\b", re.IGNORECASE)
_MASTER = re.compile(r"\b([Mm])aster(s?)\b")

# -- who is meant ---------------------------------------------------------------------------
# The child a family writes about, by the words it uses for them.
_SHE = re.compile(r"\b(?:hija|niña|nena|ella|hijita|niñita|la maestra)\b", re.IGNORECASE)
_HE = re.compile(r"\b(?:hijo|niño|nene|él|hijito|niñito)\b", re.IGNORECASE)
# "porque tiene fiebre": Spanish leaves out the subject; Apertium writes none or "it".
# A bare verb after "because" needs one; "it" is replaced only before verbs a thing rarely
# has ("it does not have friends"), never before "is" ("because it is closed").
_BARE_VERB = re.compile(
    r"\b(because|so|if|when) "
    r"(has|had|is|was|does not|did not|can not|cannot|wants|needs|says|feels|likes)\b"
)
_IT_FOR_A_CHILD = re.compile(
    r"\b(because|that|and|but|so|if|when) it "
    r"(has|had|does not|did not|wants|needs|says|feels|likes)\b"
)
_HIS = re.compile(r"\bhis\b")
# The family speaking of itself: "hablé con él", "necesito ayuda", "estaré".
_FIRST_PERSON = {
    "necesito": "need",
    "quiero": "want",
    "puedo": "can",
    "tengo": "have",
    "trabajo": "work",
    "hablé": "spoke",
    "mandé": "sent",
    "pagué": "paid",
    "firmé": "signed",
    "llamé": "called",
    "olvidé": "forgot",
    "estaré": "will be",
    "iré": "will go",
}
_CLAUSE_START = r"(^|, |; |\band |\bbut )"

# -- questions asked without inverting ------------------------------------------------------
_THERE_IS = re.compile(r"^There (is|are|was|were) ")
_NOUN_IS = re.compile(
    r"^(The|My|Your|Our|His|Her) ((?:[a-z]+ ){0,2}[a-z]+) (is|are|was|were) (?!not\b)"
)
_CAN_BE = re.compile(r"\b([Cc]an|[Cc]ould) be\b")

# -- word senses and English idiom ----------------------------------------------------------
_KIN = r"(son|daughter|child|children|boy|girl|kids?|husband|wife|family|grandson|granddaughter)"
_THE_X_OF_MY = re.compile(r"\bthe ((?:[a-z]+ )?[a-z]+) of (my|your|our|his|her) " + _KIN + r"\b")
_PERSONAL_A = re.compile(
    r"\b(pick up|picking up|picked up|collect|collecting|call|calling|see|visit|help|"
    r"helping|bring|bringing) to (the|my|your|his|her|our)\b"
)
_CARE_TO = re.compile(r"\b(take|taking|took|takes) care to\b")
_AT_PLACE = re.compile(
    r"\bin the (meeting|conference|event|party|fair|assembly|workshop|appointment)\b"
)
_IN_THE_SCHOOL = re.compile(r"\bin the school\b(?! (?:of|bus|year|office|nurse|'s)\b)")
_IN_THE_NIGHT = re.compile(r"\bin the night\b")
_THE_MATHEMATICS = re.compile(r"\b(?:the )?mathematics\b")
_CAN_NOT = re.compile(r"\b([Cc]an) not\b")
_FILL_THE = re.compile(r"\bfill (the|this|that|a|an)\b")
_WORRIED_BY = re.compile(r"\b(?:concerned|worried) by\b")
_IS_YOU = re.compile(r"\bis you\b")
_THAT_HAVE = re.compile(r"(^|, )that (have|has) a (good|nice|great|lovely|happy) ", re.IGNORECASE)
_GOD_BLESS = re.compile(r"\b[Tt]hat [Gg]od bless (?:it|him|her|them|you)\b")
_WE_SEE_US = re.compile(r"^We see us\b")

_SENSES = [
    # (the Spanish that means it, the engine's English, the school's English)
    (re.compile(r"\benferm[oa]s?\b", re.IGNORECASE), re.compile(r"\bpatient\b"), "sick"),
    (re.compile(r"\bamables?\b", re.IGNORECASE), re.compile(r"\bamiable\b"), "kind"),
    (re.compile(r"\bavis", re.IGNORECASE), re.compile(r"\bwarning\b"), "letting me know"),
    (re.compile(r"\bavis", re.IGNORECASE), re.compile(r"\bwarn\b"), "let know"),
    (
        re.compile(r"\bsal(?:ir|e|en|ió|ieron|go|imos|gan|ga)\b", re.IGNORECASE),
        re.compile(r"\bexit\b"),
        "leave",
    ),
    (
        re.compile(r"\bsal(?:ir|e|en|ió|ieron|go|imos|gan|ga)\b", re.IGNORECASE),
        re.compile(r"\bexits\b"),
        "leaves",
    ),
    (
        re.compile(r"\bsal(?:ir|e|en|ió|ieron|go|imos|gan|ga)\b", re.IGNORECASE),
        re.compile(r"\bexiting\b"),
        "leaving",
    ),
    (
        re.compile(r"\bsal(?:ir|e|en|ió|ieron|go|imos|gan|ga)\b", re.IGNORECASE),
        re.compile(r"\bexited\b"),
        "left",
    ),
    (re.compile(r"\brecog", re.IGNORECASE), re.compile(r"\bcollect\b"), "pick up"),
    (re.compile(r"\brecog", re.IGNORECASE), re.compile(r"\bcollecting\b"), "picking up"),
    (
        re.compile(r"\bqué pas[óa]\b", re.IGNORECASE),
        re.compile(r"\b([Ww]hat) (?:spent|spends)\b"),
        r"\1 happened",
    ),
    (re.compile(r"\bcorreo\b", re.IGNORECASE), re.compile(r"\bby post\b"), "by email"),
    (re.compile(r"\b(?:ahí|allí|allá)\b", re.IGNORECASE), re.compile(r"\bhere\b"), "there"),
    (re.compile(r"^perd[óo]n\b", re.IGNORECASE), re.compile(r"^Pardon\b"), "Sorry"),
    (re.compile(r"\bport[aóo]\w*\b", re.IGNORECASE), re.compile(r"\bcarries\b"), "behaves"),
    (re.compile(r"\bport[aóo]\w*\b", re.IGNORECASE), re.compile(r"\bcarried\b"), "behaved"),
    (re.compile(r"\bpele", re.IGNORECASE), re.compile(r"\blitigated\b"), "got into a fight"),
    (re.compile(r"\benferm[oa]s? de\b", re.IGNORECASE), re.compile(r"\bsick of\b"), "sick with"),
]

# "Se me olvidó firmar": the engine reads the dative as an object ("forgot me sign"); said
# as "olvidé" it writes "forgot to sign", and the subject is then supplied.
_FORGOT = re.compile(r"\bse me olvid(ó|aron)\b", re.IGNORECASE)


def prepare(text: str) -> str:
    """The family's Spanish sentence as the engine reads it best."""
    return _FORGOT.sub(lambda m: ("O" if m.group(0)[0] == "S" else "o") + "lvidé", text)


def repair(original: str, text: str) -> str:
    """`text`, Apertium's English for the Spanish sentence `original`, made to read right."""
    text = _AFTER_PREPOSITION_THE_DAY.sub(r"\1 \2", text)
    text = _THE_DAY.sub(r"on \1", text)
    text = _AT_THE_HOUR.sub(r"at \1", text)
    text = _PREPOSITION_THE_HOUR.sub(r"\1 \2", text)
    text = _THANK_YOU_FOR.sub(r"\1 for", text)
    text = _ALREADY_I.sub("I already ", text)
    if _MAESTRA.search(original):
        text = _MASTER.sub(lambda m: ("T" if m.start() == 0 else "t") + "eacher" + m.group(2), text)
    for said, engine, school in _SENSES:
        if said.search(original):
            text = engine.sub(school, text)
    text = _idiom(text)
    text = _subjects(original, text)
    if original.rstrip().endswith("?"):
        text = _ASKING_YOU.sub(lambda m: f"{m.group(1).capitalize()} you ", text)
        text = _QUESTION_IT_IS.sub(r"\1 \2 ", text)
        text = _CAN_BE.sub(r"\1 it be", text)
        text = _inverted(text)
    elif re.search(r"\b(?:me|nos) puede\b|\bpor favor\b", original, re.IGNORECASE):
        # "Me puede llamar después de las 5, por favor.": a request to the teacher.
        text = _ASKING_YOU.sub(lambda m: f"{m.group(1).capitalize()} you ", text)
    return text


def _idiom(text: str) -> str:
    text = _THE_X_OF_MY.sub(lambda m: f"{m.group(2)} {m.group(3)}'s {m.group(1)}", text)
    text = _PERSONAL_A.sub(r"\1 \2", text)
    text = _CARE_TO.sub(r"\1 care of", text)
    text = _AT_PLACE.sub(r"at the \1", text)
    text = _IN_THE_SCHOOL.sub("at school", text)
    text = _IN_THE_NIGHT.sub("at night", text)
    text = _THE_MATHEMATICS.sub("math", text)
    text = _CAN_NOT.sub(r"\1not", text)
    text = _FILL_THE.sub(r"fill out \1", text)
    text = _WORRIED_BY.sub("worried about", text)
    text = _IS_YOU.sub("you are", text)
    text = _THAT_HAVE.sub(
        lambda m: f"{m.group(1)}{'H' if not m.group(1) else 'h'}ave a {m.group(3)} ", text
    )
    text = _GOD_BLESS.sub("God bless you", text)
    text = _WE_SEE_US.sub("See you", text)
    return text


def _subjects(original: str, text: str) -> str:
    """A subject Spanish left out, where the sentence says who it is."""
    she, he = bool(_SHE.search(original)), bool(_HE.search(original))
    if she != he:
        pronoun = "she" if she else "he"
        for pattern in (_BARE_VERB, _IT_FOR_A_CHILD):
            text = pattern.sub(lambda m: f"{m.group(1)} {pronoun} {_agree(m.group(2))}", text)
        if she:
            text = _HIS.sub("her", text)
    words = {word.lower() for word in re.findall(r"\w+", prepare(original))}
    for spanish, english in _FIRST_PERSON.items():
        if spanish not in words or re.search(r"\bI (?:\w+ )?" + english, text):
            continue
        text = re.sub(
            _CLAUSE_START + r"(?:[Ii]t )?" + english + r"\b",
            lambda m, english=english: f"{m.group(1)}I {english}",
            text,
            count=1,
            flags=re.IGNORECASE,
        )
    return text


def _agree(verb: str) -> str:
    return "cannot" if verb == "can not" else verb


def _inverted(text: str) -> str:
    """ "There are classes on Monday?" → "Are there classes on Monday?"."""
    match = _THERE_IS.match(text)
    if match:
        return f"{match.group(1).capitalize()} there " + text[match.end() :]
    match = _NOUN_IS.match(text)
    if match:
        verb = match.group(3).capitalize()
        return f"{verb} {match.group(1).lower()} {match.group(2)} " + text[match.end() :]
    return text
