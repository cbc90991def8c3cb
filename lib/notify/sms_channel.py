"""SMS through the twilio client. TWILIO_API_BASE sends every Twilio call to another host (a local test server).

The twilio package is imported when the first SMS is sent, not when the app starts (it takes a
quarter of a second to import).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from lib.core import config
from lib.core.contacts import normalise_phone
from lib.core.errors import InvalidInput
from lib.notify.delivery import ChannelDown, Outgoing, PermanentFailure, TemporaryFailure

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str | None
    from_number: str | None
    api_base: str | None

    @classmethod
    def from_config(cls) -> TwilioSettings | None:
        """None when TWILIO_ACCOUNT_SID is not set: SMS are then kept, marked "not sent"."""
        c = config.settings()
        if not c.TWILIO_ACCOUNT_SID:
            return None
        return cls(c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM_NUMBER, c.TWILIO_API_BASE or None)


def http_client(api_base: str | None, timeout: float):
    """Twilio's own HTTP client, or one that rewrites https://*.twilio.com/... to `api_base`."""
    from twilio.http.http_client import TwilioHttpClient

    if not api_base:
        return TwilioHttpClient(timeout=timeout)
    base = urlsplit(api_base)

    class RedirectingHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            parts = urlsplit(url)
            if parts.hostname and parts.hostname.endswith("twilio.com"):
                url = urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query,
                                  parts.fragment))
            return super().request(method, url, *args, **kwargs)

    return RedirectingHttpClient(timeout=timeout)


class SmsChannel:
    """Use as a context manager: one HTTP session (kept alive) for the batch."""

    name = "sms"

    def __init__(self, settings: TwilioSettings):
        self.settings = settings
        self._client = None

    def __enter__(self) -> SmsChannel:
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None and getattr(self._client.http_client, "session", None):
            self._client.http_client.session.close()
        self._client = None

    def _twilio(self):
        if self._client is None:
            from twilio.rest import Client

            s = self.settings
            self._client = Client(s.account_sid, s.auth_token or "", environment={},
                                  http_client=http_client(s.api_base, TIMEOUT_SECONDS))
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
        import requests
        from twilio.base.exceptions import TwilioException

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


def _twilio_reason(exc) -> str:
    text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", None) or ""
    code = getattr(exc, "code", None)
    return f"{text} (error {code})" if code else str(text)
