from django.contrib import admin

from .models import (
    ContactLog,
    ContactPlan,
    FamilyStory,
    PlannedContact,
    StoryInvitation,
    UpdateSentence,
    WeeklyUpdate,
)


@admin.register(WeeklyUpdate)
class WeeklyUpdateAdmin(admin.ModelAdmin):
    list_display = ("section", "week_start", "created_by", "sent_at")
    raw_id_fields = ("section", "created_by")


@admin.register(UpdateSentence)
class UpdateSentenceAdmin(admin.ModelAdmin):
    list_display = ("update", "student", "framing", "skipped", "saved_at")
    raw_id_fields = ("update", "student", "message")


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ("student", "guardian", "kind", "direction", "tone", "at")
    raw_id_fields = ("school", "student", "guardian", "staff")


@admin.register(ContactPlan)
class ContactPlanAdmin(admin.ModelAdmin):
    list_display = ("staff", "section", "cycle_days", "created_at")
    raw_id_fields = ("staff", "section")


@admin.register(PlannedContact)
class PlannedContactAdmin(admin.ModelAdmin):
    list_display = ("plan", "guardian", "student", "due_date", "done_at")
    raw_id_fields = ("plan", "guardian", "student", "log")


@admin.register(FamilyStory)
class FamilyStoryAdmin(admin.ModelAdmin):
    list_display = ("student", "guardian", "school_year", "language", "updated_at")
    raw_id_fields = ("student", "guardian")


@admin.register(StoryInvitation)
class StoryInvitationAdmin(admin.ModelAdmin):
    list_display = ("student", "school_year", "invited_by", "sent_at")
    raw_id_fields = ("student", "invited_by", "message")
