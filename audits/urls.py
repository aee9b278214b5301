from __future__ import annotations

from django.urls import path

from audits import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.actions, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern"),
]
