"""'Download my data' (issue 24): a ZIP of everything a person gave the portal.

``contents`` says what goes in and what stays out, ``archive`` writes the ZIP, and
``services`` hands it over: within the request, or built by the worker and mailed as
a link (``BUILD_TASK``), with ``data_copies_expire`` for the retention engine.
"""
