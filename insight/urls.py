from django.urls import path

from .views.overview import programme_overview

urlpatterns = [
    path("", programme_overview, name="programme_overview"),
]
