from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("s/<slug:series_slug>/", views.series_detail, name="series"),
    path("s/<slug:series_slug>/<slug:code>/", views.issue_detail, name="issue"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
