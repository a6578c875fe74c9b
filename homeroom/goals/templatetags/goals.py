from django import template

from homeroom.people.access import viewer_for

from .. import access, display

register = template.Library()


@register.inclusion_tag("goals/partials/student_goals.html", takes_context=True)
def student_goals(context, student):
    """The student's open goals on the staff's page of the student, in the reader's language."""
    user = context["request"].user
    reader = display.reader_of(viewer_for(user))
    goals = (
        access.goals_for(user, student)
        .filter(status__in=access.Goal.OPEN)
        .prefetch_related("strategies")
        .order_by("status", "ends_on", "pk")
    )
    return {"student": student, "goals": [display.show_goal(goal, reader) for goal in goals]}
