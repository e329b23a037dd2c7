"""`{% export_links %}`: the page's own address with `?export=csv` and `?export=xlsx`, its
filters kept (certportal/exports.py answers them)."""

from django import template

from certportal.exports import EXPORT_FORMATS

register = template.Library()


@register.inclusion_tag("includes/export_links.html", takes_context=True)
def export_links(context, label=""):
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    links = []
    for fmt, name in EXPORT_FORMATS.items():
        query["export"] = fmt
        links.append({"format": fmt, "name": name, "query": query.urlencode()})
    return {"links": links, "label": label}
