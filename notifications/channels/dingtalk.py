"""钉钉: the corp app's 工作通知 (gettoken + asyncsend_v2) to one person, and the 加签 of
group robots (timestamp + HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded)."""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import requests
from django.conf import settings

from ..models import Notification
from . import ChannelError
from .text import im_markdown
from .tokens import access_token

INVALID_TOKEN = {40014, 42001, 88}


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """The sign parameter of a robot with 加签: URL-encoded base64 HMAC-SHA256."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def robot_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={robot_sign(secret, timestamp_ms)}"


def _base() -> str:
    return settings.DUBAN_DINGTALK_ENDPOINT.rstrip("/")


def _fetch_token() -> tuple[str, int]:
    response = requests.get(f"{_base()}/gettoken", params={
        "appkey": settings.DUBAN_DINGTALK_APP_KEY,
        "appsecret": settings.DUBAN_DINGTALK_APP_SECRET}, timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
    answer = _answer(response)
    return answer["access_token"], int(answer.get("expires_in", 7200))


def _answer(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError as error:
        raise ChannelError(f"钉钉 HTTP {response.status_code}: {response.text[:200]}") from error
    if response.status_code >= 300 or answer.get("errcode", 0) != 0:
        raise ChannelError(f"钉钉 errcode {answer.get('errcode')}: {answer.get('errmsg', '')}",
                           answer.get("errcode"))
    return answer


def work_notice_send(notification: Notification) -> None:
    """工作通知 to the person's userid, as markdown with the link to the page."""
    body = {"agent_id": int(settings.DUBAN_DINGTALK_AGENT_ID),
            "userid_list": notification.address,
            "msg": {"msgtype": "markdown",
                    "markdown": {"title": notification.subject[:64],
                                 "text": im_markdown(notification)}}}
    for attempt in (0, 1):
        token = access_token("dingtalk", _fetch_token, refresh=attempt == 1)
        response = requests.post(
            f"{_base()}/topapi/message/corpconversation/asyncsend_v2",
            params={"access_token": token}, json=body, timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
        try:
            _answer(response)
            return
        except ChannelError as error:
            if attempt == 0 and len(error.args) > 1 and error.args[1] in INVALID_TOKEN:
                continue  # the cached token expired early: fetch a new one once
            raise
