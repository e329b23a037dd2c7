"""The public badge: what the Marketplace showcase reads about a solution (R7.1)."""

import json

from csp.constants import NONE
from csp.decorators import csp
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from certportal.paging import query_without

from . import public_cache
from .enums import Marketplace
from .selectors import badge_of, certified_solutions, published_solution


def _cached_badge(slug) -> dict:
    """The badge's facts in the active language from the cache, else from the database (then
    cached)."""
    key = public_cache.badge_key(slug, get_language())

    def shared_key():
        return key

    def compute():
        return badge_of(published_solution(slug))

    return public_cache.cached(key, shared_key, compute, public_cache.BADGE_TIMEOUT)


def public_response(request, content: bytes, content_type: str) -> HttpResponse:
    """A public page that browsers and CDNs may keep a few minutes and revalidate with its
    ETag (304 when unchanged)."""
    etag = public_cache.etag_of(content)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(
        response,
        public=True,
        max_age=public_cache.PUBLIC_MAX_AGE,
        stale_while_revalidate=public_cache.STALE_WHILE_REVALIDATE,
    )
    return response


def _asked_language(request) -> str:
    """`?lang=ru` when the caller names a language of the portal, else the one its
    Accept-Language chose (LocaleMiddleware)."""
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else get_language()


def badge_json(request, slug):
    """The badge's facts; the reason of a revocation in the language asked."""
    with translation.override(_asked_language(request)):
        body = json.dumps(_cached_badge(slug)).encode()
    return public_response(request, body, "application/json")


# Approximate advance widths of Verdana (the badge's first font), in ems: enough to size the
# badge; `textLength` in the SVG then fits the text exactly whatever font the viewer has.
_NARROW = dict.fromkeys("ijlI.,:;·|!' ", 0.33)
_DIGITS = dict.fromkeys("0123456789", 0.64)
_EM = {**_NARROW, **_DIGITS, "f": 0.35, "r": 0.43, "t": 0.39, "m": 0.97, "w": 0.82, "✓": 0.8}
BADGE_FONT_SIZE = 13
BADGE_PADDING = 10


def _text_width(text: str, *, bold: bool = False) -> int:
    ems = sum(_EM.get(char, 0.72 if char.isupper() else 0.61) for char in text)
    return round(ems * BADGE_FONT_SIZE * (1.1 if bold else 1))


# The image loads nothing and runs nothing, even when opened on its own.
@csp({"default-src": [NONE], "frame-ancestors": [NONE]})
def badge_svg(request, slug):
    """The badge as an image: "✓ Certified" on green with the certified version beside it
    while the badge is on, a grey label otherwise."""
    key = public_cache.svg_key(slug, get_language())

    def shared_key():
        return key

    def compute():
        return _draw(request, _cached_badge(slug))

    body = public_cache.cached(key, shared_key, compute, public_cache.BADGE_TIMEOUT)
    return public_response(request, body, "image/svg+xml")


def _draw(request, badge: dict) -> bytes:
    label, colour = {
        "certified": ("✓ " + _("Certified"), "#198754"),
        "at_risk": ("✓ " + _("Certified"), "#198754"),
        "revoked": (_("Certification revoked"), "#6c757d"),
        "not_certified": (_("Not certified"), "#6c757d"),
    }[badge["status"]]
    version = badge["certified_version"] if badge["certified"] else ""
    text_width = _text_width(label, bold=True)
    label_width = text_width + 2 * BADGE_PADDING
    version_text_width = _text_width(version) if version else 0
    version_width = version_text_width + 2 * BADGE_PADDING if version else 0
    return render_to_string(
        "catalogue/badge.svg",
        {
            "badge": badge,
            "label": label,
            "colour": colour,
            "version": version,
            "width": label_width + version_width,
            "label_width": label_width,
            "text_width": text_width,
            "version_width": version_width,
            "version_text_width": version_text_width,
            "padding": BADGE_PADDING,
            "version_x": label_width + BADGE_PADDING,
        },
        request=request,
    ).encode()


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    marketplace = forms.ChoiceField(
        label=gettext_lazy("Marketplace"),
        choices=[("", gettext_lazy("All")), *Marketplace.choices],
        required=False,
    )
    category = forms.CharField(label=gettext_lazy("Business area"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("Solution or partner")}
        )
        self.fields["marketplace"].widget.attrs["class"] = "form-select"
        self.fields["category"].widget.attrs["class"] = "form-control"


def _catalogue_content(request) -> str:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    certified = certified_solutions(
        q=filters.get("q", "").strip(),
        marketplace=filters.get("marketplace", ""),
        category=filters.get("category", "").strip(),
    )
    page = Paginator(certified, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_to_string(
        "catalogue/includes/catalogue_content.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "filtered": any(filters.get(name) for name in ("q", "marketplace", "category")),
        },
        request=request,
    )


def catalogue(request):
    """The public list of certified solutions, as the showcase shows them: a page at a time,
    searched by name or partner and filtered by marketplace and business area. The list is
    cached for a minute per query string and language, and forgotten on every badge change
    (catalogue.public_cache)."""
    query, language = request.GET.urlencode(), get_language()

    def shared_key():
        current = public_cache.generation()
        return public_cache.list_key("catalogue", query, language, current) if current else None

    def compute():
        return _catalogue_content(request)

    content = public_cache.cached(
        f"public:catalogue:{language}:{query}", shared_key, compute, public_cache.LIST_TIMEOUT
    )
    return render(request, "catalogue/catalogue.html", {"content": mark_safe(content)})
