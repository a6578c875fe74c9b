"""Goals the tests start from: proposed by Rosa (Spanish) for Ana, agreed or not."""

from datetime import timedelta

from django.utils import timezone

from homeroom.goals import services
from homeroom.goals.models import Side


def family(guardian):
    return services.Person(side=Side.FAMILY, guardian=guardian)


def school(staff):
    return services.Person(side=Side.SCHOOL, staff=staff)


def proposed(world, **terms):
    defaults = {
        "what": "Ana lee veinte minutos cada noche antes de dormir.",
        "measure": "Ana termina dos libros este trimestre.",
        "strategies": [services.StrategyInput("Leemos juntas en la cocina", "home", "Rosa")],
        "ends_on": timezone.localdate() + timedelta(days=60),
    }
    defaults.update(terms)
    return services.propose_goal(world.ana, family(world.rosa), **defaults)


def active(world, **terms):
    goal = proposed(world, **terms)
    return services.agree(goal, school(world.rivera))
