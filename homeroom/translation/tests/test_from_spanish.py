"""Spanish→English repairs: each fixes what the engine gets wrong, and nothing else.

The engine's English is given as it comes out of Apertium, so these run without it; the
quality sets (`test_quality.py`) measure the repairs on whole messages through the engine.
"""

import pytest

from homeroom.translation.from_spanish import prepare, repair


@pytest.mark.parametrize(
    ("spanish", "engine", "english"),
    [
        # Subjects Spanish leaves out, named by the child the family writes about.
        (
            "Mi hija no va a ir mañana porque tiene fiebre.",
            "My daughter is not going to go tomorrow because has fever.",
            "My daughter is not going to go tomorrow because she has fever.",
        ),
        (
            "Mi hijo dice que no tiene tarea.",
            "My son says that it does not have homework.",
            "My son says that he does not have homework.",
        ),
        (
            "Mi hija perdió su lonchera.",
            "My daughter lost his lunch box.",
            "My daughter lost her lunch box.",
        ),
        # The family speaking of itself.
        (
            "Gracias por la nota, hablé con él.",
            "Thank you for the note, spoke with him.",
            "Thank you for the note, I spoke with him.",
        ),
        (
            "Trabajo en la noche y no puedo ayudarle.",
            "Work in the night and can not help him.",
            "I work at night and cannot help him.",
        ),
        # Questions asked without inverting, and requests to the teacher.
        ("¿Hay clases el lunes?", "There are classes the Monday?", "Are there classes on Monday?"),
        (
            "¿La excursión es el viernes?",
            "The field trip is the Friday?",
            "Is the field trip on Friday?",
        ),
        (
            "No puedo ir el martes, ¿puede ser el miércoles?",
            "I can not go the Tuesday, can be the Wednesday?",
            "I cannot go on Tuesday, can it be on Wednesday?",
        ),
        (
            "Me puede llamar después de las 5 por favor.",
            "Can call me after the 5 please.",
            "Can you call me after 5 please.",
        ),
        # Word senses and idiom.
        (
            "La niña está enferma de gripa.",
            "The girl is patient of flu.",
            "The girl is sick with flu.",
        ),
        ("Gracias por avisar.", "Thank you For warning.", "Thank you for letting me know."),
        ("¿A qué hora salen?", "What time they exit?", "What time they leave?"),
        (
            "Mi esposa va a recoger al niño hoy.",
            "My wife is going to collect to the boy today.",
            "My wife is going to pick up the boy today.",
        ),
        (
            "Estoy preocupado por las calificaciones de mi hijo.",
            "I am concerned by the grades of my son.",
            "I am worried about my son's grades.",
        ),
        (
            "Gracias por cuidar a mi hija.",
            "Thank you For taking care to my daughter.",
            "Thank you for taking care of my daughter.",
        ),
        ("Nos vemos el jueves.", "We see us the Thursday.", "See you on Thursday."),
        (
            "Gracias, que tenga un buen día.",
            "Thank you, that have a good day.",
            "Thank you, have a good day.",
        ),
        (
            "Mi hijo se peleó con otro niño.",
            "My son litigated with another boy.",
            "My son got into a fight with another boy.",
        ),
    ],
)
def test_a_repair_fixes_what_the_engine_got_wrong(spanish, engine, english):
    assert repair(spanish, engine) == english


@pytest.mark.parametrize(
    ("spanish", "engine"),
    [
        # "it" is a thing here: no child is made the subject of "is closed".
        (
            "Mi hijo no fue porque estaba cerrada la escuela.",
            "My son did not go because it was closed the school.",
        ),
        # Verbs that share the sentence's subject keep it.
        ("Mi hijo tiene asma y necesita su inhalador.", "My son has asthma and needs his inhaler."),
        # Two children: the sentence does not say whose "his" it is.
        ("Mi hijo y mi hija perdieron su lonchera.", "My son and my daughter lost his lunch box."),
        # A statement stays a statement.
        ("Hay una junta el lunes.", "There is a meeting on Monday."),
        # The words only change where the family used the Spanish that means them.
        ("El paciente está en la sala.", "The patient is in the room."),
        ("Vamos a salir.", "We are going to exit."),
    ],
)
def test_what_is_already_right_is_left_alone(spanish, engine):
    expected = engine.replace("exit", "leave") if "salir" in spanish else engine
    assert repair(spanish, engine) == expected


def test_se_me_olvido_is_said_the_way_the_engine_reads_it():
    assert prepare("Perdón, se me olvidó firmar el papel.") == "Perdón, olvidé firmar el papel."
    assert prepare("Se me olvidaron los libros.") == "Olvidé los libros."
    assert prepare("Se le olvidó el almuerzo.") == "Se le olvidó el almuerzo."
