"""Admin for the core records (read-only) and the base every audited admin uses."""

from django.contrib import admin

from .choices import AuditAction
from .models import AuditEntry, Job
from .services import audit_record, model_snapshot


class AuditedAdmin(admin.ModelAdmin):
    """Admin writes go through the audit log like every other write: actor, before and after."""

    def save_model(self, request, obj, form, change):
        before = model_snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE,
                     instance=obj, before=before, after=model_snapshot(obj), purpose="admin")

    def delete_model(self, request, obj):
        before = model_snapshot(obj)
        pk, label = obj.pk, obj._meta.label_lower
        super().delete_model(request, obj)
        audit_record(actor=request.user, action=AuditAction.DELETE, object_type=label,
                     object_id=str(pk), object_repr=str(before.get("name", pk))[:200], before=before,
                     purpose="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "organization", "action", "object_type", "object_repr", "purpose"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "object_repr"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "progress_done", "progress_total", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
