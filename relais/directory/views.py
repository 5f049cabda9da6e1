"""The helpline console's "Hours and closures" page: a supervisor keeps the help card true for their line.

Counsellors see the page (what reporters are told now) but only a supervisor may change it (403, as for
reassigning a case). A closure of another helpline is a 404, like a case of another helpline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relais import clock
from relais.directory import access, facts, services
from relais.directory.directory import DATA_DIR
from relais.directory.forms import ClosureForm
from relais.directory.models import ClosureKind
from relais.directory.runtime import current
from relais.handoffs.forms import error_summary
from relais.handoffs.views import Console, _context, console_view


def _targets(console: Console) -> list[tuple[str, str]]:
    """The helpline itself (every channel where a person answers) and each of its channels."""
    directory_id = console.member.helpline.directory_id
    helpline = current().directory.helpline(directory_id)
    choices = [(directory_id, _("The whole helpline (every phone, chat and message channel)"))]
    if helpline is not None:
        language = (get_language() or "en").split("-", 1)[0]
        choices += [(c.id, f"{c.labels.get(language) or c.labels['en']} ({c.id})") for c in helpline.channels]
    return choices


def _page(request: HttpRequest, console: Console, form: ClosureForm, status: int = 200) -> HttpResponse:
    now = clock.now()
    closures = access.closures_of(console.member.helpline).filter(ends_at__gt=now).order_by("starts_at")
    context: dict[str, Any] = _context(
        console,
        nav="closures",
        form=form,
        errors=error_summary(form) if form.is_bound else [],
        closures=[{"row": c, "under_way": c.starts_at <= now} for c in closures],
        can_change=console.member.is_supervisor,
        refresh_seconds=int(float(_refresh_seconds())),
    )
    return render(request, "directory/closures.html", context, status=status)


def _refresh_seconds() -> float:
    return float(settings.RELAIS_DIRECTORY_REFRESH_SECONDS)


@require_http_methods(["GET", "POST"])
@console_view
def closures(request: HttpRequest, console: Console) -> HttpResponse:
    targets = _targets(console)
    if request.method != "POST":
        return _page(request, console, ClosureForm(targets=targets))
    if not console.member.is_supervisor:
        raise PermissionDenied(_("Only a supervisor can change the helpline's hours."))
    form = ClosureForm(request.POST, targets=targets)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_closure(
                member=console.member,
                target=data["target"],
                allowed_targets=frozenset(t for t, _label in targets),
                kind=ClosureKind(data["kind"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                hours=data["hours"],
                reason_fr=data["reason_fr"],
                reason_en=data["reason_en"],
                now=clock.now(),
            )
        except services.ClosureError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                _("Saved. Help cards show it within %(seconds)s seconds.") % {"seconds": int(_refresh_seconds())},
            )
            return redirect("console:closures")
    return _page(request, console, form, status=422)


@require_POST
@console_view
def end_closure(request: HttpRequest, console: Console, closure_id: int) -> HttpResponse:
    closure = access.get_closure(console.member.helpline, closure_id)
    if not console.member.is_supervisor:
        raise PermissionDenied(_("Only a supervisor can change the helpline's hours."))
    services.end_closure(member=console.member, closure=closure, now=clock.now())
    messages.success(request, _("Ended. The usual hours apply again."))
    return redirect("console:closures")


@staff_member_required
def stale_facts(request: HttpRequest) -> HttpResponse:
    """For the platform's operators (Django admin): the directory's facts not re-read for 180 days."""
    from relais.directory.management.commands.directory import read_parsed

    parsed, version = read_parsed(DATA_DIR)
    rows = facts.stale(facts.facts(parsed), today=clock.now().date(), older_than=dt.timedelta(days=180))
    return render(
        request, "directory/stale.html", {"rows": rows, "version": version, "title": "Directory facts to re-verify"}
    )
