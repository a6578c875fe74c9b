"""Who sees and who takes part in a child's goals: the goals side of people/access.py.

- A goal is seen by whoever may see its student (`students_for`): every teacher of the
  child, the school's school-wide roles and admins, and the guardians who may see the
  child's records. A guardian under a court order (no records) sees none of it, a teacher who
  does not teach the child neither.
- The family side is every guardian who may see the child's records: a split household's
  other guardian sees the goal and may join it. The school side is a teacher of the child, or
  a counselor or family liaison of the child's school; an admin or an interpreter reads, and
  does not take part.
- A family hears of a goal (reminders, the school's notes in their language) through links
  that allow contact and records (`contactable_links(about_the_child=True)`).
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from homeroom.people.access import (
    contactable_links,
    own_children_links,
    records_links_of,
    students_for,
    teachers_of_student,
    viewer_for,
)
from homeroom.people.models import Guardian, Role, StaffMember, Student

from .models import Goal, Note, Side


def goals_for(user, student: Student | None = None) -> QuerySet[Goal]:
    """Goals are few beside a district's students: the scope is asked per goal (is its
    student one of the user's?), never computed for every student and intersected."""
    students = students_for(user)
    goals = Goal.objects.all()
    if student is not None:
        students = students.filter(pk=student.pk)
        goals = goals.filter(student=student)
    return goals.filter(Exists(students.filter(pk=OuterRef("student_id"))))


def get_goal_for(user, pk) -> Goal:
    goal = goals_for(user).select_related("student__school").filter(pk=pk).first()
    if goal is None:
        raise Http404
    return goal


def notes_for(user, student: Student) -> QuerySet[Note]:
    """The notes of one student's goals that `user` may read (the goal's scope)."""
    return Note.objects.filter(goal__in=goals_for(user, student).values("pk"))


def get_note_for(user, pk) -> Note:
    note = Note.objects.filter(pk=pk, goal__in=goals_for(user).values("pk")).first()
    if note is None:
        raise Http404
    return note


def side_for(user, student: Student) -> str | None:
    """The side `user` takes in the goals of `student`, or None when they only read. A
    teacher who is also the child's parent takes the family's side."""
    viewer = viewer_for(user)
    if viewer.guardian and own_children_links(user).filter(student=student).exists():
        return Side.FAMILY
    if viewer.staff is None:
        return None
    if student.school_id in viewer.school_ids_with(Role.COUNSELOR, Role.FAMILY_LIAISON):
        return Side.SCHOOL
    if teachers_of_student(student).filter(staff=viewer.staff).exists():
        return Side.SCHOOL
    return None


def goals_of_guardian(guardian: Guardian) -> QuerySet[Goal]:
    """The goals a guardian takes part in, where no one has signed in (a text): those of the
    children whose records they may see."""
    return Goal.objects.filter(student__in=records_links_of(guardian).values("student"))


def family_of(goal: Goal) -> QuerySet[Guardian]:
    """The guardians the school may write to about this goal's child, oldest link first."""
    links = contactable_links(about_the_child=True).filter(
        student_id=goal.student_id, guardian=OuterRef("pk")
    )
    return Guardian.objects.filter(Exists(links), is_active=True).order_by("pk")


def school_of(goal: Goal) -> QuerySet[StaffMember]:
    """The child's teachers now: the staff who read a family's notes and hear the reminders."""
    teaching = teachers_of_student(goal.student).filter(staff=OuterRef("pk"))
    return StaffMember.objects.filter(Exists(teaching), is_active=True).order_by("pk")


def active_goals_for_family(user, student: Student) -> QuerySet[Goal]:
    """On the family's page for a child: the goals under way, and those waiting for an answer,
    first (progress before anything else)."""
    if not own_children_links(user).filter(student=student).exists():
        return Goal.objects.none()
    return goals_for(user, student).filter(status__in=Goal.OPEN)
