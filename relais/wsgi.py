"""WSGI entry point. Serve Relais as WSGI: Django on ASGI is several times slower here (stack notes)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
application = get_wsgi_application()

from relais.directory.runtime import holder  # noqa: E402  (needs Django set up)

holder.reload()  # load the directory before the first request, not during it
# What is loaded now lives as long as the process: keep the collector from rescanning it on every full pass.
gc.freeze()
