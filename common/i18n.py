"""Translation helpers: Chinese is the source language, English comes from locale/en.

- ``lazy_format`` / ``lazy_concat`` fill or join lazily translated messages when they are
  shown, so module-level text (API descriptions, column headers) follows the reader.
- ``site_language`` renders text for someone other than the current reader (an email to a
  department, a record kept in the database) in the site's language, ``LANGUAGE_CODE``.
- ``translated`` shows a label kept in the database (written in the site's language) in the
  reader's language when it is one of our messages.
- ``join_list`` joins names with the language's list separator (、 in Chinese).
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext

#: A text, or a lazily translated one (gettext_lazy): what labels and messages are typed as.
StrOrPromise = str | Promise


def _format(message, params: dict) -> str:
    return str(message) % {key: str(value) if isinstance(value, Promise) else value
                           for key, value in params.items()}


_format_lazy = lazy(_format, str)


def lazy_format(message, **params) -> str:
    """``message % params``, translated (and filled) each time it is turned into text."""
    return _format_lazy(message, params)


def lazy_concat(*parts) -> str:
    """Texts (some lazily translated) joined when shown: ``lazy_concat(RULES, _("…"))``."""
    return format_lazy("{}" * len(parts), *parts)


def site_language() -> translation.override:
    """``with site_language():`` text in the site's language whoever is reading."""
    return translation.override(settings.LANGUAGE_CODE)


def translated(text: str) -> str:
    """A label stored in the site's language (a rule's name in a score), in the reader's
    language when it is one of ours; anything else (plan data) as it is."""
    return gettext(text) if text else text


def join_list(items: Iterable[object]) -> str:
    """Names joined as a list: 区工信局、区财政局 (in English: ``A, B``)."""
    return pgettext("list separator", "、").join(str(item) for item in items)
