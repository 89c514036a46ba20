"""The JSON API, under /api/v1/: token-authenticated (heroweb.api), for scripts and CI jobs."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from contexts import api as contexts_api
from sessions import api as sessions_api

app_name = "api"

C = "contexts/<int:context_id>/"
S = C + "sessions/<str:name>/"
urlpatterns: list[URLPattern | URLResolver] = [
    path("contexts/", contexts_api.contexts, name="contexts"),
    path(C, contexts_api.context, name="context"),
    path(C + "config/", contexts_api.config_files, name="config_files"),
    path(C + "config/<str:category>/<str:name>/", contexts_api.config_file, name="config_file"),
    path(C + "secrets/", contexts_api.secrets, name="secrets"),
    path(C + "secrets/<str:name>/", contexts_api.secret, name="secret"),
    path(C + "sessions/", sessions_api.sessions, name="sessions"),
    path(S, sessions_api.session, name="session"),
    path(S + "end/", sessions_api.session_end, name="session_end"),
    path(S + "env/", sessions_api.env, name="env"),
    path(S + "env/<str:key>/", sessions_api.env_var, name="env_var"),
    path(S + "log/", sessions_api.log, name="log"),
]
