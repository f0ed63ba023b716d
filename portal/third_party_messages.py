"""Messages of Django and its libraries that reach the portal's pages, for the catalogue.

Django's own Swahili lacks these (its timesince words, the password rules, some
form errors), and django-two-factor-auth has no Swahili at all. Listed here,
``make messages`` copies them into ``locale/sw``, where their Swahili is
written; the project's catalogue comes first, so it wins. Nothing calls this
function: it is read by xgettext only. ``tests/portal/test_one_language.py``
finds any such message left in English on a Swahili page.
"""

from django.utils.translation import gettext, ngettext


def _messages():  # pragma: no cover - read by makemessages, never run
    # django.utils.timesince ("closes in 2 weeks, 3 days")
    ngettext("%(num)d year", "%(num)d years", 0)
    ngettext("%(num)d month", "%(num)d months", 0)
    ngettext("%(num)d week", "%(num)d weeks", 0)
    ngettext("%(num)d day", "%(num)d days", 0)
    ngettext("%(num)d hour", "%(num)d hours", 0)
    ngettext("%(num)d minute", "%(num)d minutes", 0)
    # django.contrib.auth.password_validation (the registration and password forms)
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        0,
    )
    ngettext(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        0,
    )
    gettext("Your password can’t be too similar to your other personal information.")
    gettext("Your password can’t be a commonly used password.")
    gettext("Your password can’t be entirely numeric.")
    # django.core.validators and django.forms (the bid, profile and question forms)
    ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        0,
    )
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        0,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        0,
    )
    ngettext(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        0,
    )
    gettext(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: "
        "%(allowed_extensions)s."
    )
    gettext("Null characters are not allowed.")
    gettext("Enter a valid domain name.")
    gettext("Enter a complete value.")
    gettext("Value %(value)r is not a valid choice.")
    gettext("“%(value)s” value must be a decimal number.")
    gettext("%(model_name)s with this %(field_labels)s already exists.")
    gettext(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be "
        "ambiguous or it may not exist."
    )
    # django.template.defaultfilters.filesizeformat: Django's Swahili writes "MB 3.0";
    # the portal writes sizes one way, "3.0 MB", as everywhere else on its pages.
    gettext("%s KB")
    gettext("%s MB")
    gettext("%s GB")
    # django.core.paginator (the call and news lists)
    gettext("That page number is not an integer")
    gettext("That page number is less than 1")
    gettext("That page contains no results")
