"""Vendor-like HTTP servers on 127.0.0.1 for the channel adapters. Each endpoint checks the
request the way the vendor documents it — written here from the vendors' documentation,
independently of the project's code — and answers like the vendor (errors included):

- Aliyun dysmsapi SendSms: RPC signature v1 (HMAC-SHA1, key ``secret&``, over
  ``GET&%2F&percentEncode(sorted canonical query)``), fresh timestamp, unique nonce.
- Tencent Cloud SendSms: TC3-HMAC-SHA256 (canonical request, credential scope, derived key).
- 钉钉: ``/gettoken`` (appkey/appsecret) and ``/topapi/message/corpconversation/asyncsend_v2``;
  group robot ``/robot/send`` with 加签 (timestamp ms within an hour, sign = urlencoded
  base64 HMAC-SHA256 of ``timestamp\\nsecret``).
- 企业微信: ``/cgi-bin/gettoken`` (corpid/corpsecret) and ``/cgi-bin/message/send``.
"""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .e2e_services import free_port

ALIYUN = {"id": "LTAI-test-id", "secret": "aliyun-test-secret"}
TENCENT = {"id": "AKID-test-id", "secret": "tencent-test-secret"}
DINGTALK = {"appkey": "ding-app-key", "appsecret": "ding-app-secret", "agent_id": 2001,
            "robot_token": "robot-token", "robot_secret": "SEC-robot-secret"}
WECOM = {"corpid": "ww-corp", "corpsecret": "wecom-secret", "agentid": 1000002}


def _aliyun_encode(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


class VendorServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[tuple[str, dict]] = []
        self.refused: list[tuple[str, str]] = []
        self.nonces: set[str] = set()
        self.tokens: dict[str, str] = {}
        self.token_requests = 0
        self.fail_next: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                server._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                server._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "VendorServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def of(self, vendor: str) -> list[dict]:
        with self._lock:
            return [payload for name, payload in self.received if name == vendor]

    # ---------------------------------------------------------------- dispatch
    def _handle(self, request, method: str) -> None:
        split = urllib.parse.urlsplit(request.path)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        routes = {
            ("GET", "/aliyun/"): self._aliyun, ("POST", "/tencent/"): self._tencent,
            ("GET", "/dingtalk/gettoken"): self._ding_token,
            ("POST", "/dingtalk/topapi/message/corpconversation/asyncsend_v2"): self._ding_send,
            ("POST", "/dingtalk/robot/send"): self._ding_robot,
            ("GET", "/wecom/cgi-bin/gettoken"): self._wecom_token,
            ("POST", "/wecom/cgi-bin/message/send"): self._wecom_send,
        }
        handler = routes.get((method, split.path))
        if handler is None:
            request._reply(404, {"error": "not found"})
            return
        vendor = split.path.split("/")[1]
        if self.fail_next.get(vendor):
            self.fail_next[vendor] -= 1
            request._reply(503, {"errcode": -1, "errmsg": "system busy"})
            return
        status, answer = handler(request, query, body)
        request._reply(status, answer)

    def _refuse(self, vendor: str, why: str) -> None:
        with self._lock:
            self.refused.append((vendor, why))

    def _accept(self, vendor: str, payload: dict) -> None:
        with self._lock:
            self.received.append((vendor, payload))

    # ---------------------------------------------------------------- Aliyun
    def _aliyun(self, request, query, body):
        signature = query.pop("Signature", "")
        canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}"
                             for k, v in sorted(query.items()))
        string_to_sign = "GET&%2F&" + _aliyun_encode(canonical)
        expected = base64.b64encode(hmac.new(f"{ALIYUN['secret']}&".encode(),
                                             string_to_sign.encode(), hashlib.sha1).digest())
        required = {"AccessKeyId": ALIYUN["id"], "Action": "SendSms", "Version": "2017-05-25",
                    "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                    "Format": "JSON"}
        for key, value in required.items():
            if query.get(key) != value:
                self._refuse("aliyun", f"{key}={query.get(key)}")
                return 400, {"Code": "MissingParameter", "Message": key}
        if not hmac.compare_digest(expected.decode(), signature):
            self._refuse("aliyun", "signature")
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is "
                         "not matched with our calculation."}
        stamp = datetime.datetime.strptime(query["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.UTC)
        if abs((datetime.datetime.now(datetime.UTC) - stamp).total_seconds()) > 900:
            self._refuse("aliyun", "timestamp")
            return 400, {"Code": "InvalidTimeStamp.Expired", "Message": "expired"}
        if query["SignatureNonce"] in self.nonces:
            self._refuse("aliyun", "nonce")
            return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used"}
        self.nonces.add(query["SignatureNonce"])
        self._accept("aliyun", {"phone": query["PhoneNumbers"], "sign": query["SignName"],
                                "template": query["TemplateCode"],
                                "params": json.loads(query["TemplateParam"])})
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0",
                     "RequestId": query["SignatureNonce"]}

    # ---------------------------------------------------------------- Tencent
    def _tencent(self, request, query, body):
        headers = request.headers
        authorization = headers.get("Authorization", "")
        try:
            algorithm, rest = authorization.split(" ", 1)
            parts = dict(part.strip().split("=", 1) for part in rest.split(","))
            secret_id, date, service, terminator = parts["Credential"].split("/")
        except ValueError:
            self._refuse("tencent", "authorization")
            return 200, {"Response": {"Error": {"Code": "AuthFailure.InvalidAuthorization",
                                                "Message": "bad header"}}}
        timestamp = int(headers["X-TC-Timestamp"])
        if abs(time.time() - timestamp) > 300:
            self._refuse("tencent", "timestamp")
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureExpire",
                                                "Message": "expired"}}}
        signed = parts["SignedHeaders"].split(";")
        canonical_headers = "".join(
            f"{name}:{headers[name].strip().lower()}\n"
            for name in signed)
        canonical_request = "\n".join(["POST", "/", "", canonical_headers,
                                       parts["SignedHeaders"], hashlib.sha256(body).hexdigest()])
        day = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        scope = f"{date}/{service}/{terminator}"
        string_to_sign = "\n".join([algorithm, str(timestamp), scope,
                                    hashlib.sha256(canonical_request.encode()).hexdigest()])

        def sign(key: bytes, message: str) -> bytes:
            return hmac.new(key, message.encode(), hashlib.sha256).digest()

        key = sign(sign(sign(f"TC3{TENCENT['secret']}".encode(), day), "sms"), "tc3_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if (algorithm != "TC3-HMAC-SHA256" or secret_id != TENCENT["id"] or date != day
                or service != "sms" or terminator != "tc3_request"
                or "host" not in signed or "content-type" not in signed
                or not hmac.compare_digest(expected, parts["Signature"])):
            self._refuse("tencent", "signature")
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                "Message": "signature"}}}
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != \
                "2021-01-11":
            self._refuse("tencent", "action")
            return 200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "action"}}}
        payload = json.loads(body)
        self._accept("tencent", payload)
        return 200, {"Response": {"SendStatusSet": [
            {"PhoneNumber": payload["PhoneNumberSet"][0], "Code": "Ok", "Message": "send success",
             "SerialNo": "2028:f825e6b16e23f73f4123"}], "RequestId": "a0aabda6"}}

    # ---------------------------------------------------------------- 钉钉
    def _new_token(self, vendor: str) -> str:
        with self._lock:
            self.token_requests += 1
            token = f"{vendor}-token-{self.token_requests}"
            self.tokens[vendor] = token
        return token

    def _ding_token(self, request, query, body):
        if (query.get("appkey"), query.get("appsecret")) != (DINGTALK["appkey"],
                                                              DINGTALK["appsecret"]):
            return 200, {"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"}
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": self._new_token("dingtalk"),
                     "expires_in": 7200}

    def _ding_send(self, request, query, body):
        if query.get("access_token") != self.tokens.get("dingtalk"):
            self._refuse("dingtalk", "token")
            return 200, {"errcode": 88, "errmsg": "不合法的access_token"}
        payload = json.loads(body)
        if payload.get("agent_id") != DINGTALK["agent_id"] or not payload.get("userid_list") \
                or payload.get("msg", {}).get("msgtype") not in ("text", "markdown",
                                                                   "action_card", "link"):
            self._refuse("dingtalk", "payload")
            return 200, {"errcode": 400002, "errmsg": "参数错误"}
        self._accept("dingtalk", payload)
        return 200, {"errcode": 0, "errmsg": "ok", "task_id": 256271667526,
                     "request_id": "4jzllmte0wau"}

    def _ding_robot(self, request, query, body):
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        expected = base64.b64encode(hmac.new(
            DINGTALK["robot_secret"].encode(),
            f"{timestamp}\n{DINGTALK['robot_secret']}".encode(), hashlib.sha256).digest())
        if query.get("access_token") != DINGTALK["robot_token"] or not timestamp.isdigit() \
                or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000 \
                or not hmac.compare_digest(expected.decode(), sign):
            self._refuse("robot", "sign")
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        self._accept("robot", json.loads(body))
        return 200, {"errcode": 0, "errmsg": "ok"}

    # ---------------------------------------------------------------- 企业微信
    def _wecom_token(self, request, query, body):
        if (query.get("corpid"), query.get("corpsecret")) != (WECOM["corpid"],
                                                               WECOM["corpsecret"]):
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": self._new_token("wecom"),
                     "expires_in": 7200}

    def _wecom_send(self, request, query, body):
        if query.get("access_token") != self.tokens.get("wecom"):
            self._refuse("wecom", "token")
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        payload = json.loads(body)
        if payload.get("agentid") != WECOM["agentid"] or not payload.get("touser") \
                or payload.get("msgtype") not in ("text", "textcard", "markdown", "news"):
            self._refuse("wecom", "payload")
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        self._accept("wecom", payload)
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "xyz"}
