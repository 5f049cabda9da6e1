"""`{{ code|country_name }}` and `{{ tag|language_name }}` for both consoles' templates (handoffs/readable.py)."""

from __future__ import annotations

from django import template

from relais.handoffs import readable

register = template.Library()
register.filter("country_name", readable.country_name)
register.filter("language_name", readable.language_name)
