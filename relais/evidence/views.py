"""The counsellor's evidence pack, from the case page: the same services and access rules as the console.

A case whose consent does not include `content` has no evidence pages (404, like a missing case). Opening
the PDF in the browser is logged as a view, downloading it or the ZIP as an export — in the chain of custody
and in the case's access log.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relais import clock
from relais.evidence import access, services
from relais.evidence.vault import IntegrityFailure
from relais.handoffs.views import Console, console_view


def _pack(request: HttpRequest, console: Console, case_id: uuid.UUID, fmt: services.Format) -> HttpResponse:
    case = access.case_with_evidence(console.actor.helpline, case_id)
    assert case.report is not None  # noqa: S101 - access.py never returns a withdrawn case
    inline = fmt == "pdf" and request.GET.get("inline") == "1"
    language = services.pack_language(case.report, request.GET.get("lang"))
    try:
        export = services.export_for_case(
            actor=console.actor, case=case, fmt=fmt, language=language, inline=inline, now=clock.now()
        )
    except IntegrityFailure as failure:
        if failure.item is not None:
            message = _(
                "The evidence pack was not made: item %(position)s no longer matches what the platform sent "
                "(its integrity check failed). Nothing was exported. Tell your Relais operator."
            ) % {"position": failure.item.position}
        else:
            message = _(
                "The evidence pack was not made: reported item %(position)s no longer matches what the platform "
                "sent (its integrity check failed). Nothing was exported. Tell your Relais operator."
            ) % {"position": failure.reported_number}
        messages.error(request, message)
        return HttpResponseRedirect(f"{reverse('console:case', kwargs={'case_id': case.pk})}#evidence")
    disposition = "inline" if inline else "attachment"
    return HttpResponse(
        export.content,
        content_type=export.content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{export.file_name}"'},
    )


@require_GET
@console_view
def case_evidence_pdf(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    return _pack(request, console, case_id, "pdf")


@require_GET
@console_view
def case_evidence_zip(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    return _pack(request, console, case_id, "zip")


@require_GET
@console_view
def case_picture(request: HttpRequest, console: Console, case_id: uuid.UUID, position: int) -> HttpResponse:
    """One preserved picture on the case page (blurred there by default, ADR 0028), re-encoded, in the chain
    of custody."""
    case = access.case_with_evidence(console.actor.helpline, case_id)
    assert case.report is not None  # noqa: S101 - access.py never returns a withdrawn case
    item = access.picture_of(case.report, position)
    helpline = console.actor.helpline.name
    try:
        data = services.picture_preview(
            item=item, actor_label=f"{console.actor.label} ({helpline})", party=helpline, now=clock.now()
        )
    except IntegrityFailure:
        return HttpResponse(
            _("This picture no longer matches what the platform sent."), status=409, content_type="text/plain"
        )
    return HttpResponse(data, content_type="image/jpeg", headers={"Content-Disposition": "inline"})
