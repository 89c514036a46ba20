"""Context views: parse with a form, call heroweb.base, render the page or its partial.

Every view checks the role first (contexts.web.load_context); templates only hide buttons.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contexts import dbbrowser, kv
from contexts.dbbrowser import browser_from_query
from contexts.forms import (
    ConfigFileCreateForm,
    ConfigFileEditForm,
    ContextConfigForm,
    ContextCreateForm,
    MemberAddForm,
    MemberRoleForm,
    PassphraseForm,
    SecretRotateForm,
    SecretSetForm,
    fingerprint,
)
from contexts.models import Membership, Role
from contexts.pages import ContextPage, ListPage
from contexts.web import CONFLICT, INVALID, attempt, audit, load_context, rebound, respond, save_fields
from heroweb.base import context_delete, context_get, context_new
from heroweb.base.errors import Conflict, InvalidInput, NotFound, WrongPassphrase

DETAIL = "contexts/context_detail.html"
FILE = "contexts/context_file.html"


# -- the list ---------------------------------------------------------------------------------------
@require_GET
def context_list(request: HttpRequest) -> HttpResponse:
    page = ListPage(request, q=request.GET.get("q", "").strip()[:64])
    return respond(request, page.template, "context-rows", {"page": page})


def _create_error_field(context_id: int) -> str:
    """Where a failed create's message goes: next to the id when the id is the problem."""
    try:
        context_get(context_id)
    except NotFound:
        return "name"
    except InvalidInput:  # beyond the server's databases
        return "id"
    return "id"


@require_http_methods(["GET", "POST"])
def context_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect(reverse("home") + "#new")
    form = ContextCreateForm(request.POST, auto_id="new-%s")
    page = ListPage(request, create_form=form)
    if not form.is_valid():
        return respond(
            request,
            page.template,
            "context-create",
            {"page": page},
            status=INVALID,
            toast="Nothing was created: see the form.",
        )
    data = form.cleaned_data

    def create() -> int:
        with transaction.atomic():
            c = context_new(
                id=data["id"],
                name=data["name"],
                coderoot=data["coderoot"],
                interactive=data["interactive"],
                description=data["description"],
            )
            Membership.objects.update_or_create(
                user_id=int(request.user.pk or 0), context_id=c.id, defaults={"role": Role.OWNER}
            )
            return c.id

    out = attempt(form, create, field=_create_error_field(data["id"]))
    if not out.ok:
        return respond(
            request,
            page.template,
            "context-create",
            {"page": page},
            status=out.status,
            toast="Nothing was created.",
        )
    audit(request, out.value, "context.create", data["name"])
    page = ListPage(request)
    url = reverse("contexts:detail", args=[out.value])
    return respond(
        request,
        page.template,
        "context-create",
        {"page": page, "created": data["name"], "created_url": url},
        toast=f"Created context {data['name']} (id {out.value}).",
        toast_url=url,
        events=["contextsChanged"],
        redirect_to=url,
    )


@require_GET
def context_go(request: HttpRequest) -> HttpResponse:
    """The header switcher's target: works as a plain GET form without JavaScript."""
    try:
        context_id = int(request.GET.get("id", ""))
    except ValueError:
        return redirect("home")
    return redirect("contexts:detail", context_id=context_id)


# -- the context page -------------------------------------------------------------------------------
def _page(request: HttpRequest, context_id: int, minimum: str = "viewer") -> ContextPage:
    context, role = load_context(request, context_id, minimum)
    return ContextPage(request, context, role)


def _minimum(request: HttpRequest, write: str = "editor") -> str:
    return "viewer" if request.method == "GET" else write


@require_GET
def context_detail(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id)
    browser_from_query(request, page.db)
    return render(request, DETAIL, {"page": page})


@require_http_methods(["GET", "POST"])
def context_config(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    if request.method == "GET":
        page.config_editing = request.GET.get("edit") == "1" and page.can_edit
        return respond(request, DETAIL, "config", {"page": page})
    form = ContextConfigForm(request.POST, auto_id="config-%s")
    saved = save_fields(form, page.context, ("coderoot", "interactive", "description"))
    if not saved.ok:
        page.config_form, page.config_editing = saved.form, True
        return respond(
            request, DETAIL, "config", {"page": page}, status=saved.status, toast="Nothing was changed."
        )
    page.config_form, page.config_editing = None, False
    audit(request, context_id, "context.settings", ", ".join(saved.changed) or "nothing changed")
    return respond(
        request,
        DETAIL,
        "config",
        {"page": page},
        toast="Saved the context's settings.",
        events=["configChanged"],
        redirect_to=page.url,
    )


# -- params -----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def context_params(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    if request.method == "POST":
        return kv.kv_add(request, page, page.params)
    return kv.table_response(request, page, page.params)


@require_http_methods(["GET", "POST"])
def context_param(request: HttpRequest, context_id: int, key: str) -> HttpResponse:
    page = _page(request, context_id, "editor")
    if request.method == "POST":
        return kv.kv_save(request, page, page.params, key)
    return kv.kv_edit_row(request, page, page.params, key)


@require_POST
def context_param_delete(request: HttpRequest, context_id: int, key: str) -> HttpResponse:
    page = _page(request, context_id, "editor")
    return kv.kv_delete(request, page, page.params, key)


# -- hero config files ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def context_files(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    if request.method == "GET":
        return respond(request, DETAIL, "files", {"page": page})
    form = ConfigFileCreateForm(request.POST, auto_id="file-new-%s")
    page.file_form = form
    if not form.is_valid():
        return respond(request, DETAIL, "files", {"page": page}, status=INVALID, toast="Nothing was created.")
    cat, name, content = (form.cleaned_data[k] for k in ("category", "name", "content"))

    def create() -> str:
        if page.context.hero_config_exists(cat, name):
            raise InvalidInput(f"{cat}__{name}.yaml already exists; open it to edit it.")
        return page.context.hero_config_set(cat, name, content)

    out = attempt(form, create, field="content")
    if not out.ok:
        return respond(
            request,
            DETAIL,
            "files",
            {"page": page, "error_line": out.line},
            status=out.status,
            toast="Nothing was created.",
        )
    page.file_form = None
    audit(request, context_id, "config_file.create", f"{cat}__{name}.yaml")
    return respond(
        request,
        DETAIL,
        "files",
        {"page": page},
        toast=f"Created {cat}__{name}.yaml.",
        events=["configChanged"],
        redirect_to=reverse("contexts:file", args=[context_id, cat, name]),
    )


def _file_context(page: ContextPage, category: str, name: str, **extra: object) -> dict[str, object]:
    ctx: dict[str, object] = {"page": page, "category": category, "name": name, **extra}
    line, lines = extra.get("error_line"), extra.get("lines")
    if isinstance(line, int) and isinstance(lines, list):
        # Two lines either side of the YAML error, numbered as in the editor.
        ctx["excerpt"] = [
            (n, lines[n - 1], n == line) for n in range(max(1, line - 2), min(len(lines), line + 2) + 1)
        ]
    return ctx


@require_http_methods(["GET", "POST"])
def context_file(request: HttpRequest, context_id: int, category: str, name: str) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    try:
        text = page.context.hero_config_get(category, name)
    except (NotFound, InvalidInput) as e:
        raise Http404(e.message) from e
    if request.method == "GET":
        form = ConfigFileEditForm(initial={"content": text, "original": fingerprint(text)}, auto_id="file-%s")
        if getattr(request, "htmx", False) and request.htmx.target == "file-preview":  # type: ignore[attr-defined]
            # the preview panel refreshing itself after configChanged: what is on disk now
            return respond(request, FILE, "file-preview", _file_context(page, category, name, saved=text))
        return respond(
            request, FILE, "file-editor", _file_context(page, category, name, form=form, saved=text)
        )
    form = ConfigFileEditForm(request.POST, auto_id="file-%s")
    if not form.is_valid():
        return respond(
            request,
            FILE,
            "file-editor",
            _file_context(page, category, name, form=form, saved=text),
            status=INVALID,
            toast="Nothing was saved.",
        )
    content, original = form.cleaned_data["content"], form.cleaned_data["original"]

    def save() -> str:
        if original and fingerprint(page.context.hero_config_get(category, name)) != original:
            raise Conflict(f"{category}__{name}.yaml was changed by someone else meanwhile.")
        return page.context.hero_config_set(category, name, content)

    out = attempt(form, save, field="content")
    if not out.ok:
        fresh = page.context.hero_config_get(category, name)
        lines = content.splitlines()
        ctx = _file_context(
            page,
            category,
            name,
            form=form,
            saved=fresh,
            error_line=out.line,
            lines=lines,
            conflict=out.status == CONFLICT,
        )
        if out.status == CONFLICT:
            ctx["form"] = rebound(form, original=fingerprint(fresh))
        return respond(request, FILE, "file-editor", ctx, status=out.status, toast="Nothing was saved.")
    written = out.value or ""
    audit(request, context_id, "config_file.save", f"{category}__{name}.yaml")
    form = ConfigFileEditForm(
        initial={"content": written, "original": fingerprint(written)}, auto_id="file-%s"
    )
    return respond(
        request,
        FILE,
        "file-editor",
        _file_context(page, category, name, form=form, saved=written),
        toast=f"Saved {category}__{name}.yaml.",
        events=["configChanged"],
        redirect_to=reverse("contexts:file", args=[context_id, category, name]),
    )


@require_POST
def context_file_preview(request: HttpRequest, context_id: int, category: str, name: str) -> HttpResponse:
    """What saving would write (expanded), or the YAML error at its line; changes nothing."""
    page = _page(request, context_id, "viewer")
    form = ConfigFileEditForm(request.POST, auto_id="file-%s")
    form.is_valid()
    content = form.cleaned_data.get("content", "")
    out = attempt(form, lambda: page.context.hero_config_preview(content), field="content")
    ctx = _file_context(
        page,
        category,
        name,
        preview=out.value,
        preview_errors=form.errors.get("content"),
        error_line=out.line,
        lines=content.splitlines(),
        form=form,  # without JavaScript the whole page comes back: the editor keeps the text
        saved=page.context.hero_config_get(category, name)
        if page.context.hero_config_exists(category, name)
        else "",
    )
    # 200 either way: the preview panel shows the error, the editor keeps the text.
    return respond(request, FILE, "file-preview", ctx)


@require_POST
def context_file_delete(request: HttpRequest, context_id: int, category: str, name: str) -> HttpResponse:
    page = _page(request, context_id, "editor")
    try:
        existed = page.context.hero_config_delete(category, name)
    except InvalidInput as e:
        raise Http404(e.message) from e
    if existed:
        audit(request, context_id, "config_file.delete", f"{category}__{name}.yaml")
    toast = f"Deleted {category}__{name}.yaml." if existed else f"{category}__{name}.yaml was already gone."
    return respond(
        request,
        DETAIL,
        "files",
        {"page": page},
        toast=toast,
        events=["configChanged"],
        redirect_to=f"{page.url}#files",
    )


# -- secrets ----------------------------------------------------------------------------------------
def _secrets_response(
    request: HttpRequest,
    page: ContextPage,
    *,
    status: int = 200,
    toast: str | None = None,
    changed: bool = False,
) -> HttpResponse:
    response = respond(
        request,
        DETAIL,
        "secrets",
        {"page": page},
        status=status,
        toast=toast,
        events=["secretsChanged"] if changed else [],
        # A reveal is answered with the page itself: a redirect would lose what was revealed.
        redirect_to=None if page.revealed else f"{page.url}#secrets",
    )
    response["Cache-Control"] = "no-store"  # a revealed value must not stay in a cache
    return response


@require_GET
def context_secrets(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id)
    rotating = request.GET.get("rotate")
    if rotating and page.can_edit and rotating in {n for n, _ in page.secrets}:
        page.rotating = rotating
    return _secrets_response(request, page)


@sensitive_post_parameters()
@require_POST
def context_secret_set(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, "editor")
    form = SecretSetForm(request.POST, auto_id="secret-new-%s")
    page.secret_form = form
    if not form.is_valid():
        return _secrets_response(request, page, status=INVALID, toast="Nothing was changed.")
    name = form.cleaned_data["name"]
    out = attempt(form, lambda: page.context.secrets.set(name, form.cleaned_data["value"]), field="name")
    if not out.ok:
        return _secrets_response(request, page, status=out.status, toast="Nothing was changed.")
    audit(request, context_id, "secret.set", name)
    page.secret_form = None
    return _secrets_response(request, page, toast=f"Saved secret {name}.", changed=True)


@sensitive_post_parameters()
@require_POST
def context_secret_rotate(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, "editor")
    if name not in {n for n, _ in page.secrets}:
        raise Http404(f"There is no secret {name}.")
    form = SecretRotateForm(request.POST, auto_id=f"rotate-{name}-%s")
    page.rotating, page.rotate_form = name, form
    if not form.is_valid():
        return _secrets_response(request, page, status=INVALID, toast="Nothing was changed.")
    out = attempt(form, lambda: page.context.secrets.set(name, form.cleaned_data["value"]), field="value")
    if not out.ok:
        return _secrets_response(request, page, status=out.status, toast="Nothing was changed.")
    audit(request, context_id, "secret.rotate", name)
    page.rotating, page.rotate_form = None, None
    page.__dict__.pop("secrets", None)
    return _secrets_response(request, page, toast=f"Rotated secret {name}: it has a new value.", changed=True)


@never_cache
@require_POST
def context_secret_reveal(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    """An explicit POST by an editor; the audit trail records who saw which secret, never its value."""
    page = _page(request, context_id, "editor")
    try:
        value = page.context.secrets.get(name)
    except (NotFound, InvalidInput) as e:
        raise Http404(e.message) from e
    audit(request, context_id, "secret.reveal", name)
    page.revealed = (name, value)
    return _secrets_response(request, page, toast=f"Revealed {name}; it is hidden again when you reload.")


@require_POST
def context_secret_delete(request: HttpRequest, context_id: int, name: str) -> HttpResponse:
    page = _page(request, context_id, "editor")
    try:
        existed = page.context.secrets.delete(name)
    except InvalidInput as e:
        raise Http404(e.message) from e
    if existed:
        audit(request, context_id, "secret.delete", name)
    page.__dict__.pop("secrets", None)
    return _secrets_response(
        request,
        page,
        toast=f"Deleted secret {name}." if existed else f"{name} was already gone.",
        changed=True,
    )


@sensitive_post_parameters()
@require_POST
def context_passphrase(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, "editor")
    form = PassphraseForm(request.POST, auto_id="passphrase-%s")
    page.passphrase_form = form
    status = INVALID
    if form.is_valid():

        def change() -> None:
            if page.context.has_passphrase and not page.context.secret_check(form.cleaned_data["current"]):
                raise WrongPassphrase("The current passphrase is not right.")
            page.context.secret_set(form.cleaned_data["new"])

        out = attempt(form, change, field="current")
        status = out.status
    if status >= 400:
        return respond(
            request, DETAIL, "passphrase", {"page": page}, status=status, toast="Nothing was changed."
        )
    had = "Changed" if form.cleaned_data["current"] else "Set"
    audit(request, context_id, "passphrase.set", "changed" if form.cleaned_data["current"] else "set")
    page.passphrase_form = None
    return respond(
        request,
        DETAIL,
        "passphrase",
        {"page": page},
        toast=f"{had} the context passphrase.",
        events=["secretsChanged"],
        redirect_to=f"{page.url}#passphrase",
    )


# -- sessions list, the config DB -------------------------------------------------------------------
@require_GET
def context_sessions(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id)
    return respond(request, DETAIL, "sessions", {"page": page})


@require_http_methods(["GET", "POST"])
def context_db(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    if request.method == "POST":
        return dbbrowser.db_add(request, page)
    browser_from_query(request, page.db)
    return dbbrowser.list_response(request, page)


@require_http_methods(["GET", "POST"])
def context_db_value(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request))
    if request.method == "POST":
        return dbbrowser.db_save(request, page)
    return dbbrowser.db_value(request, page)


@require_GET
def context_db_download(request: HttpRequest, context_id: int) -> HttpResponse:
    return dbbrowser.db_download(request, _page(request, context_id))


@require_POST
def context_db_delete(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, "editor")
    browser_from_query(request, page.db)
    return dbbrowser.db_delete(request, page)


# -- members ----------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def context_members(request: HttpRequest, context_id: int) -> HttpResponse:
    page = _page(request, context_id, _minimum(request, "owner"))
    if request.method == "GET":
        return respond(request, DETAIL, "members", {"page": page})
    form = MemberAddForm(request.POST, auto_id="member-new-%s")
    page.member_form = form
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", f"There is no user named {form.cleaned_data['username']}.")
        elif Membership.objects.filter(user=user, context_id=context_id).exists():
            form.add_error("username", f"{user.get_username()} is already a member; change the role below.")
        else:
            Membership.objects.create(user=user, context_id=context_id, role=form.cleaned_data["role"])
            audit(request, context_id, "member.add", f"{user.get_username()} as {form.cleaned_data['role']}")
            page.member_form = None
            return respond(
                request,
                DETAIL,
                "members",
                {"page": page},
                toast=f"{user.get_username()} is now {form.cleaned_data['role']}.",
                events=["membersChanged"],
                redirect_to=f"{page.url}#members",
            )
    return respond(request, DETAIL, "members", {"page": page}, status=INVALID, toast="Nobody was added.")


def _would_leave_no_owner(context_id: int, membership: Membership, new_role: str | None) -> bool:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return False
    return (
        not Membership.objects.filter(context_id=context_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@require_POST
def context_member(request: HttpRequest, context_id: int, user_id: int) -> HttpResponse:
    """Change a member's role (``role`` given) or remove them (``remove``)."""
    page = _page(request, context_id, "owner")
    membership = (
        Membership.objects.filter(context_id=context_id, user_id=user_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("That user is not a member.")
    remove = "remove" in request.POST
    form = MemberRoleForm(request.POST)
    new_role = None if remove else (form.cleaned_data["role"] if form.is_valid() else "")
    if new_role == "":
        page.member_error = "Pick viewer, editor or owner."
    elif _would_leave_no_owner(context_id, membership, new_role):
        page.member_error = "A context keeps at least one owner: make someone else owner first."
    if page.member_error:
        return respond(request, DETAIL, "members", {"page": page}, status=INVALID, toast=page.member_error)
    who, old_role = membership.user.get_username(), membership.role
    if remove:
        membership.delete()
        toast = f"Removed {who}."
    else:
        membership.role = str(new_role)
        membership.save(update_fields=["role"])
        toast = f"{who} is now {new_role}."
    if remove:
        audit(request, context_id, "member.remove", f"{who} (was {old_role})")
    else:
        audit(request, context_id, "member.role", f"{who}: {old_role} → {new_role}")
    return respond(
        request,
        DETAIL,
        "members",
        {"page": page},
        toast=toast,
        events=["membersChanged"],
        redirect_to=f"{page.url}#members",
    )


# -- the audit trail -------------------------------------------------------------------------------
@require_GET
def context_activity(request: HttpRequest, context_id: int) -> HttpResponse:
    """The latest changes made through the web, 50 a page; ``?before=<event id>`` for older ones."""
    page = _page(request, context_id)
    before = request.GET.get("before", "")
    page.activity_before = int(before) if before.isdigit() else None
    return respond(request, DETAIL, "activity", {"page": page})


# -- deletion ---------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def context_delete_view(request: HttpRequest, context_id: int) -> HttpResponse:
    """GET: what will go, named. POST: delete it all (owners only)."""
    page = _page(request, context_id, "owner")
    c = page.context
    if request.method == "POST":
        if request.POST.get("confirm_name") != c.name:
            return render(
                request,
                "contexts/context_delete.html",
                {"page": page, "gone": _doomed(page), "error": f"Type the name {c.name} to confirm."},
                status=INVALID,
            )
        context_delete(c.id)
        Membership.objects.filter(context_id=c.id).delete()
        audit(request, c.id, "context.delete", c.name)
        messages.success(request, f"Deleted context {c.name} (id {c.id}) and everything in it.")
        if getattr(request, "htmx", False):
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(reverse("home"))
        return redirect("home")
    return render(request, "contexts/context_delete.html", {"page": page, "gone": _doomed(page)})


def _doomed(page: ContextPage) -> dict[str, object]:
    c = page.context
    return {
        "redis_keys": c.redis().dbsize(),
        "db_files": c.db_list(),
        "config_files": [f"{cat}__{name}.yaml" for cat, name in c.hero_config_list()],
        "sessions": [s.name for s in page.sessions],
    }
