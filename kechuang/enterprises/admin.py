from django.contrib import admin

from kechuang.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Consent, DataSource, Enterprise, SourceBatch


@admin.register(DataSource)
class DataSourceAdmin(AuditedAdmin):
    """Feeds are configured here (code, department); their facts arrive through imports."""

    list_display = ["code", "name", "kind", "department"]
    list_filter = ["kind"]


@admin.register(SourceBatch)
class SourceBatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "source", "recorded_at", "actor_label", "file_name", "status", "rows_valid",
                    "rows_quarantined", "facts_inserted", "facts_superseded"]
    list_filter = ["source", "status"]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    """Enterprise facts change only through imports (with their sources), never by hand here."""

    list_display = ["uscc", "name", "region_code", "industry_code", "employees", "is_synthetic"]
    search_fields = ["uscc", "name"]
    show_full_result_count = False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "organization", "purpose", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["enterprise"]
