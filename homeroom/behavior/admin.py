from django.contrib import admin

from .models import Category, FamilyResponse, Moment, MomentAudit, SchoolBehaviorSettings


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "kind", "points", "is_active", "visible_to_families")
    list_filter = ("kind", "is_active", "school")


@admin.register(SchoolBehaviorSettings)
class SchoolBehaviorSettingsAdmin(admin.ModelAdmin):
    list_display = ("school", "anyone_may_recognise", "needs_work_review_required", "ratio_target")


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ("student", "category", "recorded_by", "created_at", "withdrawn_at")
    raw_id_fields = ("student", "category", "school", "recorded_by", "withdrawn_by", "reviewed_by")
    date_hierarchy = "created_at"


admin.site.register(MomentAudit)
admin.site.register(FamilyResponse)
