"""A helpline's own closures, and nothing of another's: a foreign or missing id is the same 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from relais.directory.models import HelplineClosure
from relais.tenants.models import Helpline


def closures_of(helpline: Helpline) -> QuerySet[HelplineClosure]:
    return HelplineClosure.objects.filter(helpline=helpline)


def get_closure(helpline: Helpline, closure_id: int) -> HelplineClosure:
    closure = closures_of(helpline).filter(id=closure_id).first()
    if closure is None:
        raise Http404("No such closure")
    return closure
