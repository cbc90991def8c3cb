"""Reading a therapist's calendar from the address they pasted: carefully, because the server does the reading.

An address typed by a user and fetched by the server could point it at the practice's own network (SSRF).
So: http(s) only; the name is resolved here and every address it resolves to must be on the public internet
(not private, loopback, link-local, multicast or reserved), and the connection goes to the very address that
was checked, never to a second look-up (a name that resolves differently the next time can't slip through).
Redirects are followed by hand, a few at most, each checked the same way. Every read has time-outs, one
deadline for the whole answer and a size limit. Loopback is allowed only with
BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK=1 (tests). Failures are CalendarFetchError in plain words.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from urllib.parse import urljoin, urlsplit

from lib.core import config
from lib.core.errors import BookingDeskError

CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 15.0  # the whole answer, however slowly it trickles in
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 3
MAX_URL = 2000


class CalendarFetchError(BookingDeskError):
    """Why the calendar could not be read, in words a therapist understands."""


def normalise(url: str) -> str:
    """The address as it will be read: trimmed; webcal:// (Apple's and Outlook's links) read as https://."""
    url = (url or "").strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    if len(url) > MAX_URL:
        raise CalendarFetchError("That address is too long to be a calendar address.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CalendarFetchError("That isn't a calendar address: it should start with https:// (or webcal://).")
    if parts.username or parts.password:
        raise CalendarFetchError("Please paste the calendar's secret address without a user name or password in it.")
    return url


def _loopback_allowed() -> bool:
    return config.settings().BOOKING_DESK_CALENDAR_ALLOW_LOOPBACK


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not _loopback_allowed()
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The one address to connect to, after checking every address the name resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CalendarFetchError(f"The calendar's server “{host}” could not be found. Please check the address.") from None
    addresses = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if _refused(ip):
            raise CalendarFetchError("That address points inside a private network, which Booking Desk does not "
                                     "read from. Please use the secret address your calendar service gives you.")
        addresses.append(str(ip))
    if not addresses:
        raise CalendarFetchError(f"The calendar's server “{host}” could not be found. Please check the address.")
    return addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked IP address, with the certificate checked for the name in the address."""

    def __init__(self, ip: str, host: str, port: int, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, ip: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


def _timed_out() -> CalendarFetchError:
    return CalendarFetchError(f"The calendar's server did not answer within {TOTAL_SECONDS:g} seconds. "
                              "We'll try again in 15 minutes.")


def fetch(url: str) -> bytes:
    """The calendar file at `url` (after the checks above), or CalendarFetchError."""
    url = normalise(url)
    deadline = time.monotonic() + TOTAL_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        https = parts.scheme.lower() == "https"
        port = parts.port or (443 if https else 80)
        assert parts.hostname is not None  # normalise() refuses an address without a host
        ip = resolve(parts.hostname, port)
        conn = (_PinnedHTTPS if https else _PinnedHTTP)(ip, parts.hostname, port,
                                                        min(CONNECT_SECONDS, TOTAL_SECONDS))
        # However the server dribbles its answer, the connection is cut at the deadline.
        sockets: list = []
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (sockets,))
        watchdog.daemon = True
        watchdog.start()
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity",
                                               "User-Agent": "BookingDesk-calendar/1"})
            sock = conn.sock  # the response may take it over from the connection
            sockets.append(sock)
            sock.settimeout(max(0.1, min(CONNECT_SECONDS, deadline - time.monotonic())))
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise CalendarFetchError("The calendar's server sent us elsewhere without saying where.")
                url = normalise(urljoin(url, location))
                continue
            if response.status in (401, 403, 404, 410):
                raise CalendarFetchError(f"The calendar's server refused the address (HTTP {response.status}). "
                                         "It may have been reset: please paste the current secret address.")
            if response.status != 200:
                raise CalendarFetchError(f"The calendar's server answered with an error (HTTP {response.status}). "
                                         "We'll try again in 15 minutes.")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise _too_big()
            return _read_body(sock, response, deadline)
        except TimeoutError:
            raise _timed_out() from None
        except ssl.SSLError:
            raise CalendarFetchError("The calendar's server has no valid security certificate, so we did not "
                                     "read it.") from None
        except (OSError, http.client.HTTPException):
            if time.monotonic() >= deadline:
                raise _timed_out() from None
            raise CalendarFetchError("We couldn't connect to the calendar's server. We'll try again in 15 "
                                     "minutes.") from None
        finally:
            watchdog.cancel()
            conn.close()
    raise CalendarFetchError("The calendar's server sent us elsewhere too many times.")


def _cut(sockets: list) -> None:
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _too_big() -> CalendarFetchError:
    return CalendarFetchError(f"The calendar is larger than {MAX_BYTES // (1024 * 1024)} MB, more than Booking "
                              "Desk reads. A calendar with only your appointments is usually much smaller.")


def _read_body(sock, response, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timed_out()
        sock.settimeout(min(CONNECT_SECONDS, left))
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            if time.monotonic() >= deadline:  # cut by the watchdog: not the whole calendar
                raise _timed_out()
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BYTES:
            raise _too_big()
        chunks.append(chunk)
