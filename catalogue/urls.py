"""The public face of the catalogue: the catalogue page and each solution's badge."""

from django.urls import path

from . import views

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("badges/<slug:slug>.json", views.badge_json, name="badge_json"),
    path("badges/<slug:slug>.svg", views.badge_svg, name="badge_svg"),
]
