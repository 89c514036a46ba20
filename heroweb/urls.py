from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView, PasswordChangeDoneView, PasswordChangeView
from django.urls import include, path, re_path

from contexts import tokens
from contexts import views as context_views
from heroweb import views
from heroweb.api import not_found

urlpatterns = [
    path("", context_views.context_list, name="home"),
    path("login/", views.HeroLoginView.as_view(), name="login"),
    path("logout/", login_not_required(LogoutView.as_view()), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("setup/", views.setup_help, name="setup_help"),
    path("setup/<str:token>/", views.setup, name="setup"),
    path("contexts/", include("contexts.urls")),
    path("contexts/<int:context_id>/sessions/", include("sessions.urls")),
    path("account/tokens/", tokens.token_list, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("api/v1/", include("heroweb.api_urls")),
    # Anything else under /api/ (another version, a typo): a JSON 404, not the HTML page.
    re_path(r"^api/(?P<rest>.*)$", not_found),
    path("admin/", admin.site.urls),
]
