"""SMS through the twilio client. TWILIO_API_BASE sends every Twilio call to another host (a local test server)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from lib import config
from lib.contacts import normalise_phone
from lib.errors import InvalidInput
from lib.notify.delivery import ChannelDown, Outgoing, PermanentFailure, TemporaryFailure

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str | None
    from_number: str | None
    api_base: str | None

    @classmethod
    def from_config(cls) -> "TwilioSettings | None":
        """None when TWILIO_ACCOUNT_SID is not set: SMS are then kept, marked "not sent"."""
        sid = config.get("TWILIO_ACCOUNT_SID")
        if not sid:
            return None
        return cls(sid, config.get("TWILIO_AUTH_TOKEN"), config.get("TWILIO_FROM_NUMBER"),
                   (config.get("TWILIO_API_BASE") or "").rstrip("/") or None)


class RedirectingHttpClient(TwilioHttpClient):
    """Rewrites https://<anything>.twilio.com/... to the configured base, keeping path and query."""

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = urlsplit(api_base)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit((self.api_base.scheme, self.api_base.netloc,
                              self.api_base.path.rstrip("/") + parts.path, parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


class SmsChannel:
    """Use as a context manager: one HTTP session (kept alive) for the batch."""

    name = "sms"

    def __init__(self, settings: TwilioSettings):
        self.settings = settings
        self._client: Client | None = None

    def __enter__(self) -> "SmsChannel":
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None and getattr(self._client.http_client, "session", None):
            self._client.http_client.session.close()
        self._client = None

    def _twilio(self) -> Client:
        if self._client is None:
            s = self.settings
            http = (RedirectingHttpClient(s.api_base, timeout=TIMEOUT_SECONDS) if s.api_base
                    else TwilioHttpClient(timeout=TIMEOUT_SECONDS))
            self._client = Client(s.account_sid, s.auth_token or "", http_client=http, environment={})
        return self._client

    def send(self, msg: Outgoing) -> str | None:
        """Send one SMS; returns Twilio's message SID or raises a DeliveryFailure."""
        try:
            to = normalise_phone(msg.recipient, field="sms_phone")
        except InvalidInput as exc:
            raise PermanentFailure(exc.message) from None  # never hand a bad number to the provider
        if not to:
            raise PermanentFailure("There is no phone number to send this SMS to.")
        if not self.settings.from_number:
            raise ChannelDown("TWILIO_FROM_NUMBER is not set, so there is no number to send SMS from.")
        try:
            message = self._twilio().messages.create(to=to, from_=self.settings.from_number, body=msg.body_text)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ChannelDown(f"Can't reach Twilio: {exc.__class__.__name__}") from None
        except TwilioException as exc:
            status = getattr(exc, "status", None)
            reason = f"Twilio answered {status}: {_twilio_reason(exc)}"
            if status is None or status == 429 or status >= 500:
                raise TemporaryFailure(reason) from None
            raise PermanentFailure(reason) from None
        return message.sid


def _twilio_reason(exc: TwilioException) -> str:
    text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", None) or ""
    code = getattr(exc, "code", None)
    return f"{text} (error {code})" if code else str(text)
