"""Conversations and the outbox in the admin: for looking, not for writing around the services.

Every foreign key is a raw id: a district has tens of thousands of guardians, and a select
box listing them all would take the page down.
"""

from django.contrib import admin

from .models import (
    Conversation,
    ConversationAccess,
    Delivery,
    InboundEvent,
    InterpreterRequest,
    Message,
    MessageTranslation,
    Participant,
    SmsOptOut,
)


class ParticipantInline(admin.TabularInline):
    model = Participant
    raw_id_fields = ("staff", "guardian")
    readonly_fields = ("reply_token", "joined_at", "last_read_at")
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "district", "school", "started_by", "last_message_at")
    list_filter = ("kind", "started_by")
    raw_id_fields = ("district", "school", "student", "section", "reply_to_announcement")
    date_hierarchy = "last_message_at"
    list_select_related = ("district", "school")
    inlines = [ParticipantInline]

    def get_inlines(self, request, obj):
        # An announcement's participants are the whole audience: too many to list.
        if obj is not None and obj.kind == Conversation.Kind.ANNOUNCEMENT:
            return []
        return super().get_inlines(request, obj)


class TranslationInline(admin.StackedInline):
    model = MessageTranslation
    extra = 0


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "conversation", "language", "channel", "is_urgent", "created_at")
    list_filter = ("channel", "is_urgent", "is_automatic")
    raw_id_fields = ("conversation", "author_staff", "author_guardian")
    date_hierarchy = "created_at"
    inlines = [TranslationInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "message",
        "guardian",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "untranslated",
    )
    list_filter = ("status", "channel", "untranslated")
    search_fields = ("=provider_id", "=idempotency_key")
    raw_id_fields = ("message", "guardian", "staff", "fallback_from")
    readonly_fields = ("idempotency_key", "provider_id", "claim_token", "claimed_at")
    date_hierarchy = "created_at"
    list_select_related = ("guardian",)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("channel", "provider_id", "received_at", "outcome")
    list_filter = ("channel", "outcome")
    search_fields = ("=provider_id",)
    raw_id_fields = ("message",)


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ("phone", "opted_out_at")
    search_fields = ("=phone",)


@admin.register(ConversationAccess)
class ConversationAccessAdmin(admin.ModelAdmin):
    list_display = ("conversation", "staff", "at")
    raw_id_fields = ("conversation", "staff")


@admin.register(InterpreterRequest)
class InterpreterRequestAdmin(admin.ModelAdmin):
    list_display = ("kind", "language", "school", "status", "created_at", "resolved_at")
    list_filter = ("status", "kind", "language", "school")
    raw_id_fields = ("message", "requested_by_staff", "requested_by_guardian", "resolved_by")
