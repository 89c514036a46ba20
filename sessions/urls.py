"""Session pages, under /contexts/<context_id>/sessions/: every view receives ``context_id``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from sessions import views
from sessions.logviews import session_urlpatterns

app_name = "hero_sessions"

S = "<str:name>/"
urlpatterns: list[URLPattern | URLResolver] = [
    path(S, views.session_detail, name="detail"),
    path(S + "fields/", views.session_fields, name="fields"),
    path(S + "end/", views.session_end, name="end"),
    path(S + "state/", views.session_state, name="state"),
    path(S + "delete/", views.session_delete, name="delete"),
    path(S + "env/", views.session_env, name="env"),
    path(S + "env-bulk/", views.session_env_bulk, name="env_bulk"),
    path(S + "env-download/", views.session_env_download, name="env_download"),
    path(S + "env/<str:key>/", views.session_env_var, name="env_var"),
    path(S + "env/<str:key>/delete/", views.session_env_delete, name="env_delete"),
    path(S + "params/", views.session_params, name="params"),
    path(S + "params/<str:key>/", views.session_param, name="param"),
    path(S + "params/<str:key>/delete/", views.session_param_delete, name="param_delete"),
    path(S + "db/", views.session_db, name="db"),
    path(S + "db/value/", views.session_db_value, name="db_value"),
    path(S + "db/delete/", views.session_db_delete, name="db_delete"),
    path(S + "db/download/", views.session_db_download, name="db_download"),
]

# Live logs (issue 4): the page, its SSE stream, search, scroll-back, download.
urlpatterns += session_urlpatterns
