import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from accounts.rules import is_partner

from ..enums import Marketplace
from ..rules import can_view, is_own_partner_record


class Partner(models.Model):
    """A partner organisation: the developer of one or more Marketplace solutions."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name


class Solution(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A Marketplace solution of a partner."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="solutions"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    marketplace = models.CharField(
        _("marketplace"), max_length=20, choices=Marketplace.choices, default=Marketplace.CREATIO
    )
    category = models.CharField(
        _("business area"),
        max_length=100,
        help_text=_("The need the solution covers, e.g. “Telephony” or “Document flow”."),
    )
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(
        _("published on the Marketplace"),
        default=False,
        help_text=_("Only a solution published on the Marketplace can be certified."),
    )
    marketplace_url = models.URLField(_("Marketplace page"), blank=True)
    uses_external_services = models.BooleanField(
        _("uses external services"),
        default=False,
        help_text=_("The solution relies on services run by the developer outside Creatio."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        # A partner registers solutions and edits its own; see catalogue.rules for who sees.
        rules_permissions = {
            "view": can_view,
            "add": is_partner,
            "change": is_own_partner_record,
        }
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="solution_name_per_partner")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("solution_detail", kwargs={"slug": self.slug})


# A version as vendors publish it: numbers and dots, with an optional pre-release or build part.
VERSION_NUMBER = re.compile(r"^\d+(\.\d+){0,3}([-+][0-9A-Za-z][0-9A-Za-z.-]*)?$")


class SolutionVersion(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.CharField(_("version"), max_length=40, help_text=_("As published, e.g. 1.4.0."))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["solution", "-created_at"]
        verbose_name = _("solution version")
        verbose_name_plural = _("solution versions")
        # Asked with the solution: its partner adds versions.
        rules_permissions = {"add": is_own_partner_record}
        constraints = [
            models.UniqueConstraint(fields=["solution", "number"], name="version_per_solution")
        ]

    def __str__(self):
        return f"{self.solution} {self.number}"

    def clean(self):
        super().clean()
        if self.number and not VERSION_NUMBER.match(self.number.strip()):
            raise ValidationError(
                {
                    "number": _(
                        "Write the version as it is published: numbers and dots, e.g. 1.4.0, "
                        "or 2.0.1-rc1."
                    )
                }
            )
