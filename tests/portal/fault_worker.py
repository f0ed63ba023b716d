"""The portal's Celery app for the fault tests, with slow scoring sheets.

``celery -A tests.portal.fault_worker worker`` runs the real tasks; only the
sheet's build waits a few seconds first, so that a test can kill the worker
while the sheet is "Being assembled". Nothing here is imported by the portal.
"""

import time

from celery.signals import worker_process_init

from portal.celery import app

SLOW_SECONDS = 4.0

__all__ = ["app"]


@worker_process_init.connect
def _slow_sheets(**kwargs):
    import reviews.services.sheet_build as sheet_build_module

    original = sheet_build_module.sheet_build

    def slow_build(sheet, *, progress=None):
        if progress:
            progress(10)
        time.sleep(SLOW_SECONDS)
        return original(sheet, progress=progress)

    sheet_build_module.sheet_build = slow_build
