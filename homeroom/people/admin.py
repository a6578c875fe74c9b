from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "phone", "is_active", "is_staff"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "time_zone", "country", "is_active"]
    list_filter = ["district", "is_active"]


@admin.register(models.StaffMember)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "is_district_admin", "is_active"]
    search_fields = ["given_name", "family_name", "email", "sourced_id"]
    raw_id_fields = ["user"]


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "school", "grade", "is_active"]
    list_filter = ["school", "grade", "is_active"]
    search_fields = ["given_name", "family_name", "sourced_id"]


@admin.register(models.Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["full_name", "language", "channel", "joined_at", "is_active"]
    list_filter = ["language", "channel", "is_active"]
    search_fields = ["given_name", "family_name", "email", "sourced_id"]
    raw_id_fields = ["user"]


@admin.register(models.Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ["guardian", "student", "relationship", "may_contact", "may_see_records"]
    raw_id_fields = ["guardian", "student"]


for model in (
    models.District,
    models.Section,
    models.Program,
    models.Assignment,
    models.Invitation,
    models.RosterImport,
):
    admin.site.register(model)
