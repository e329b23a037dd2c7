from django.contrib import admin
from django.utils.translation import gettext_lazy

from certportal.admin_site import ReadOnlyAdmin

from . import selectors
from .models import Certification, CertificationEvent, Partner, Solution, SolutionVersion


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "contact_email", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class VersionInline(admin.TabularInline):
    model = SolutionVersion
    extra = 0
    fields = ("number", "released_on", "notes")


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ("name", "partner", "marketplace", "category", "is_published")
    list_filter = ("marketplace", "is_published", "uses_external_services")
    search_fields = ("name", "slug", "partner__name", "category")
    list_select_related = ("partner",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (VersionInline,)

    def get_queryset(self, request):
        return selectors.solutions_visible_to(request.user)


class CertificationEventInline(admin.TabularInline):
    model = CertificationEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "status", "version", "actor", "reason_shown")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, event):
        return event.reason_text


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ("solution", "version", "status", "since")
    list_filter = ("status",)
    list_select_related = ("solution", "version")
    search_fields = ("solution__name", "solution__slug")
    inlines = (CertificationEventInline,)
