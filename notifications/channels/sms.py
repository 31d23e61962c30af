"""SMS through Aliyun (dysmsapi SendSms, RPC signature v1) or Tencent Cloud (SendSms,
TC3-HMAC-SHA256), chosen by ``DUBAN_SMS_PROVIDER``. Both are signed exactly as the vendor
documents; ``DUBAN_SMS_ENDPOINT`` points elsewhere only for tests or a proxy."""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote, urlsplit

import requests
from django.conf import settings
from django.utils import timezone

from ..models import Notification
from . import ChannelError, NotConfigured
from .text import sms_params

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"


def _percent(value: str) -> str:
    """Aliyun's percentEncode: RFC 3986 (space %20, * %2A, ~ kept)."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """RPC signature v1: HMAC-SHA1 over METHOD&%2F&percent(canonical query), key secret&."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_send(mobile: str, params: dict[str, str], *, now: datetime.datetime) -> None:
    query = {
        "AccessKeyId": settings.DUBAN_SMS_ACCESS_KEY_ID, "Action": "SendSms",
        "Format": "JSON", "PhoneNumbers": mobile, "RegionId": "cn-hangzhou",
        "SignName": settings.DUBAN_SMS_SIGN_NAME, "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
        "TemplateCode": settings.DUBAN_SMS_TEMPLATE_CODE,
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }
    query["Signature"] = aliyun_signature(query, settings.DUBAN_SMS_ACCESS_KEY_SECRET)
    endpoint = settings.DUBAN_SMS_ENDPOINT or ALIYUN_ENDPOINT
    url = endpoint + "?" + "&".join(f"{_percent(k)}={_percent(v)}" for k, v in query.items())
    response = requests.get(url, timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 300 or answer.get("Code") != "OK":
        raise ChannelError(f"Aliyun SMS HTTP {response.status_code}: "
                           f"{answer.get('Code')} {answer.get('Message', response.text[:200])}")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tencent_authorization(*, secret_id: str, secret_key: str, host: str, action: str,
                          payload: bytes, timestamp: int, service: str = "sms") -> str:
    """TC3-HMAC-SHA256 over the canonical request (POST /, JSON body, signed headers
    content-type;host;x-tc-action), with the date/service/tc3_request derived key."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host;x-tc-action"
    canonical_headers = (f"content-type:application/json; charset=utf-8\nhost:{host}\n"
                         f"x-tc-action:{action.lower()}\n")
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, signed_headers,
                                   _sha256_hex(payload)])
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                                _sha256_hex(canonical_request.encode())])
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service),
                   "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}")


def tencent_send(mobile: str, params: dict[str, str], *, now: datetime.datetime) -> None:
    endpoint = settings.DUBAN_SMS_ENDPOINT or TENCENT_ENDPOINT
    host = urlsplit(endpoint).netloc
    body = {"PhoneNumberSet": [f"+86{mobile}"], "SmsSdkAppId": settings.DUBAN_SMS_SDK_APP_ID,
            "SignName": settings.DUBAN_SMS_SIGN_NAME,
            "TemplateId": settings.DUBAN_SMS_TEMPLATE_CODE,
            "TemplateParamSet": [params["content"], params["url"]]}
    payload = json.dumps(body, ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8", "Host": host,
        "X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11",
        "X-TC-Timestamp": str(timestamp), "X-TC-Region": settings.DUBAN_SMS_REGION,
        "Authorization": tencent_authorization(
            secret_id=settings.DUBAN_SMS_ACCESS_KEY_ID,
            secret_key=settings.DUBAN_SMS_ACCESS_KEY_SECRET, host=host, action="SendSms",
            payload=payload, timestamp=timestamp),
    }
    response = requests.post(endpoint, data=payload, headers=headers,
                             timeout=settings.DUBAN_WEBHOOK_TIMEOUT)
    try:
        answer = response.json().get("Response", {})
    except ValueError:
        answer = {}
    if response.status_code >= 300 or "Error" in answer:
        error = answer.get("Error", {})
        raise ChannelError(f"Tencent SMS HTTP {response.status_code}: {error.get('Code')} "
                           f"{error.get('Message', response.text[:200])}")
    statuses = answer.get("SendStatusSet") or [{}]
    if statuses[0].get("Code") != "Ok":
        raise ChannelError(f"Tencent SMS {statuses[0].get('Code')}: "
                           f"{statuses[0].get('Message', '')}")


def sms_send(notification: Notification) -> None:
    provider = settings.DUBAN_SMS_PROVIDER
    now = timezone.now()
    if provider == "aliyun":
        aliyun_send(notification.address, sms_params(notification), now=now)
    elif provider == "tencent":
        tencent_send(notification.address, sms_params(notification), now=now)
    else:
        raise NotConfigured(f"DUBAN_SMS_PROVIDER={provider!r}")
