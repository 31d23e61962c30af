"""Access tokens of the corp apps (钉钉 gettoken, 企业微信 gettoken), cached until shortly
before they expire; a token the vendor calls invalid is dropped and fetched once more."""

from collections.abc import Callable

from django.core.cache import cache

EXPIRY_MARGIN_SECONDS = 300


def access_token(name: str, fetch: Callable[[], tuple[str, int]], *,
                 refresh: bool = False) -> str:
    key = f"duban:access-token:{name}"
    token = None if refresh else cache.get(key)
    if token is None:
        token, expires_in = fetch()
        cache.set(key, token, max(expires_in - EXPIRY_MARGIN_SECONDS, 60))
    return token
