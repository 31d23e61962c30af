"""企业微信 应用消息 (gettoken + message/send) to one person, as a text card linking to the
page."""

import requests
from django.conf import settings
from django.utils.translation import gettext

from common.i18n import site_language

from ..models import Notification
from . import ChannelError
from .tokens import access_token

INVALID_TOKEN = {40014, 42001}
DESCRIPTION_CHARS = 500


def _base() -> str:
    return settings.DUBAN_WECOM_ENDPOINT.rstrip("/")


def _answer(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError as error:
        raise ChannelError(f"企业微信 HTTP {response.status_code}: "
                           f"{response.text[:200]}") from error
    if response.status_code >= 300 or answer.get("errcode", 0) != 0:
        raise ChannelError(f"企业微信 errcode {answer.get('errcode')}: "
                           f"{answer.get('errmsg', '')}", answer.get("errcode"))
    return answer


def _fetch_token() -> tuple[str, int]:
    response = requests.get(f"{_base()}/cgi-bin/gettoken", params={
        "corpid": settings.DUBAN_WECOM_CORP_ID, "corpsecret": settings.DUBAN_WECOM_CORP_SECRET},
        timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
    answer = _answer(response)
    return answer["access_token"], int(answer.get("expires_in", 7200))


def app_message_send(notification: Notification) -> None:
    description = notification.body_text.strip()
    if len(description) > DESCRIPTION_CHARS:
        description = description[:DESCRIPTION_CHARS - 1] + "…"
    with site_language():
        button = gettext("详情")
    body = {"touser": notification.address, "msgtype": "textcard",
            "agentid": int(settings.DUBAN_WECOM_AGENT_ID),
            "textcard": {"title": notification.subject[:128], "description": description,
                         "url": notification.url or settings.SITE_URL, "btntxt": button}}
    for attempt in (0, 1):
        token = access_token("wecom", _fetch_token, refresh=attempt == 1)
        response = requests.post(f"{_base()}/cgi-bin/message/send",
                                 params={"access_token": token}, json=body,
                                 timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
        try:
            answer = _answer(response)
        except ChannelError as error:
            if attempt == 0 and len(error.args) > 1 and error.args[1] in INVALID_TOKEN:
                continue
            raise
        if answer.get("invaliduser"):
            raise ChannelError(f"企业微信 invaliduser {answer['invaliduser']}")
        return
