from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """The staff side of the portal, where leaders decide (stage 2).

    A signed-in user without staff rights gets 404, as for any record they may not see:
    the admin does not reveal itself to partners.
    """

    site_header = _("Certification portal administration")
    site_title = _("Certification portal")
    index_title = _("Staff workspace")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_staff:
                raise Http404
            return inner(request, *args, **kwargs)

        wrapper.__dict__.update(inner.__dict__)
        wrapper.admin_site = self
        return wrapper


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside a record and never added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services: staff look, nobody edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
