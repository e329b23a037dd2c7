from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Partner organisation"), {"fields": ("partner", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "partner", "is_staff")
    list_filter = (*BaseUserAdmin.list_filter, "partner")
    list_select_related = ("partner",)
