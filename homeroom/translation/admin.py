from django.contrib import admin
from django.utils import timezone

from .models import GlossaryTerm, LanguageRoute, MemoryEntry, ProviderUsage


@admin.register(MemoryEntry)
class MemoryEntryAdmin(admin.ModelAdmin):
    list_display = (
        "source_text",
        "source_language",
        "target_language",
        "provider",
        "is_corrected",
        "created_at",
    )
    list_filter = ("source_language", "target_language", "provider")
    search_fields = ("source_text", "translated_text", "corrected_text")
    readonly_fields = (
        "source_hash",
        "source_text",
        "translated_text",
        "provider",
        "created_at",
        "corrected_by",
        "corrected_at",
    )
    fields = (
        "source_language",
        "target_language",
        "source_text",
        "translated_text",
        "provider",
        "corrected_text",
        "corrected_by",
        "corrected_at",
        "source_hash",
        "created_at",
    )

    @admin.display(boolean=True, description="corrected")
    def is_corrected(self, obj):
        return obj.is_corrected

    def save_model(self, request, obj, form, change):
        # A correction made here is a person's correction like any other: it carries who
        # and when, and clearing the text hands the sentence back to the machine.
        if "corrected_text" in form.changed_data:
            if obj.corrected_text:
                obj.corrected_by = request.user
                obj.corrected_at = timezone.now()
            else:
                obj.corrected_by = None
                obj.corrected_at = None
        super().save_model(request, obj, form, change)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term", "language", "target_language", "translation", "school", "district")
    list_filter = ("language", "target_language", "district", "school")
    search_fields = ("term", "translation")


@admin.register(LanguageRoute)
class LanguageRouteAdmin(admin.ModelAdmin):
    list_display = ("district", "language", "route", "updated_by", "updated_at")
    list_filter = ("route",)
    readonly_fields = ("updated_by", "updated_at")


@admin.register(ProviderUsage)
class ProviderUsageAdmin(admin.ModelAdmin):
    list_display = ("month", "provider", "characters", "requests")
    list_filter = ("provider",)
    readonly_fields = ("provider", "month", "characters", "requests")

    def has_add_permission(self, request):
        return False
