"""Context pages, under /contexts/ (the list itself is the home page, "/")."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from contexts import views
from sessions import views as session_views
from sessions.logviews import context_urlpatterns

app_name = "contexts"

C = "<int:context_id>/"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.context_list, name="list"),
    path("new/", views.context_create, name="create"),
    path("go/", views.context_go, name="go"),
    path(C, views.context_detail, name="detail"),
    path(C + "delete/", views.context_delete_view, name="delete"),
    path(C + "config/", views.context_config, name="config"),
    path(C + "params/", views.context_params, name="params"),
    path(C + "params/<str:key>/", views.context_param, name="param"),
    path(C + "params/<str:key>/delete/", views.context_param_delete, name="param_delete"),
    path(C + "files/", views.context_files, name="files"),
    path(C + "files/<str:category>/<str:name>/", views.context_file, name="file"),
    path(C + "files/<str:category>/<str:name>/preview/", views.context_file_preview, name="file_preview"),
    path(C + "files/<str:category>/<str:name>/delete/", views.context_file_delete, name="file_delete"),
    path(C + "secrets/", views.context_secrets, name="secrets"),
    path(C + "secrets/set/", views.context_secret_set, name="secret_set"),
    path(C + "secrets/<str:name>/reveal/", views.context_secret_reveal, name="secret_reveal"),
    path(C + "secrets/<str:name>/rotate/", views.context_secret_rotate, name="secret_rotate"),
    path(C + "secrets/<str:name>/delete/", views.context_secret_delete, name="secret_delete"),
    path(C + "passphrase/", views.context_passphrase, name="passphrase"),
    path(C + "new-session/", session_views.session_create, name="session_create"),
    path(C + "session-list/", views.context_sessions, name="sessions"),
    path(C + "db/", views.context_db, name="db"),
    path(C + "db/value/", views.context_db_value, name="db_value"),
    path(C + "db/delete/", views.context_db_delete, name="db_delete"),
    path(C + "db/download/", views.context_db_download, name="db_download"),
    path(C + "members/", views.context_members, name="members"),
    path(C + "members/<int:user_id>/", views.context_member, name="member"),
    path(C + "activity/", views.context_activity, name="activity"),
]

# Live logs (issue 4): the page, its SSE stream, search, scroll-back, download.
urlpatterns += context_urlpatterns
