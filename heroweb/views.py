"""Project-wide pages: login (throttled), first-run setup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from heroweb import firstrun
from heroweb.throttle import ThrottledAuthenticationForm


class HeroLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["setup_needed"] = firstrun.setup_needed()
        return context


@login_not_required
def setup_help(request: HttpRequest) -> HttpResponse:
    """Where the login page points while no account exists: how to get the setup link."""
    return render(request, "registration/setup_help.html", {"setup_needed": firstrun.setup_needed()})


class FirstAdminForm(BaseUserCreationForm):  # type: ignore[type-arg]
    class Meta(BaseUserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
        widgets = {"username": forms.TextInput(attrs={"autofocus": True})}


@login_not_required
def setup(request: HttpRequest, token: str) -> HttpResponse:
    if not firstrun.setup_needed():
        return render(request, "registration/setup_done.html", status=410)
    if not firstrun.token_valid(token):
        raise Http404("This setup link is not valid.")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not firstrun.consume_token() or not firstrun.setup_needed():
            return render(request, "registration/setup_done.html", status=410)
        user = form.save(commit=False)
        user.is_staff = True
        user.is_superuser = True
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}: your admin account is ready.")
        return redirect("home")
    return render(request, "registration/setup.html", {"form": form})
