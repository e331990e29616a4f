"""The HTTP that ``citebrief snapshot`` and ``citebrief links`` share, and the rules it keeps.

Only these two commands use the network, and only for the ``url``/``doi`` of bibliography
entries, which may come from a stranger's pull request in a CI job that holds secrets. So:

- only ``http``/``https`` URLs are fetched (no ``file:``, ``ftp:``, ``gopher:``...);
- private addresses are refused: before every connection (redirects included) the host is
  resolved here and each of its addresses must be public, not loopback (127.0.0.1, ::1),
  private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where cloud metadata
  services live), carrier-grade NAT, multicast or reserved; the connection then goes to the very
  address that was checked (the hostname is kept for the ``Host`` header and TLS), so a DNS
  answer that changes between check and connection (DNS rebinding) cannot move it inside.
  ``allow_private=True`` (``--allow-private``) lifts this for intranet sources and for tests;
- connections are direct: proxy settings from the environment are not used, since a proxy
  would resolve and connect where this check cannot see;
- bounded: a global limit on requests at once, one request at a time per host with a pause
  between them, a deadline per request (body included), a size cap, at most 10 redirects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from citebrief import __version__

USER_AGENT = f"citebrief/{__version__} (source checker; +https://pypi.org/project/citebrief/)"
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)
MAX_REDIRECTS = 10


# How hard to knock on one host: a pause between its requests, retries of 429/5xx with
# exponential backoff (seconds). Tests set these lower for their local server.
POLITENESS = {"per_host_delay": 0.5, "retries": 2, "backoff": 1.0}


class Refused(Exception):
    """A URL citebrief will not fetch (scheme, private address); the message says why."""


def check_url(url: str) -> str | None:
    """Why ``url`` will not be fetched (None when it is an absolute http(s) URL with a host)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"has scheme {parts.scheme or 'none'!r}: only http and https are fetched"
    if not parts.hostname:
        return "has no host"
    if port == 0:
        return "has port 0"
    return None


def is_public(address: str) -> bool:
    """Is ``address`` an ordinary public internet address (see the module docstring)?"""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip in ipaddress.ip_network("64:ff9b::/96"):       # NAT64: the IPv4 address inside
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


@dataclass
class Response:
    """What one request came to. ``error`` is set (and ``status`` 0) when there was no answer."""

    url: str                                  # the URL asked for
    status: int = 0
    final_url: str = ""                       # after redirects
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None              # with read_body=True
    redirects: list[dict] = field(default_factory=list)   # [{"url", "status", "location"}]
    error: str | None = None                  # one line, for people
    error_kind: str | None = None             # "dns", "refused", "timeout", "tls", "too-big", "blocked", "network"

    @property
    def permanent_redirect(self) -> bool:
        return any(r["status"] in PERMANENT for r in self.redirects)


class Fetcher:
    """An async HTTP client with the rules above. Use as ``async with Fetcher(...) as f:``."""

    def __init__(self, *, concurrency: int = 8, timeout: float = 15.0, allow_private: bool = False):
        self.timeout = timeout
        self.allow_private = allow_private
        self.retries = int(POLITENESS["retries"])
        self.backoff = POLITENESS["backoff"]
        self.per_host_delay = POLITENESS["per_host_delay"]
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            trust_env=False, follow_redirects=False, headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.timeout), limits=httpx.Limits(max_connections=32))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("use Fetcher in `async with`")
        return self._client

    async def request(self, method: str, url: str, *, max_bytes: int | None = None, read_body: bool = False,
                      follow: bool = True, retries: int | None = None) -> Response:
        """``method`` ``url``, following redirects (each hop checked) unless not ``follow``, retrying
        429 and 5xx with backoff. Never raises for network trouble: ``error`` says what happened."""
        result = Response(url)
        tries = (self.retries if retries is None else retries) + 1
        for attempt in range(tries):
            result = await self._follow(method, url, max_bytes, read_body, follow)
            retry = result.status == 429 or 500 <= result.status < 600
            if not retry or attempt == tries - 1:
                break
            await asyncio.sleep(self._retry_delay(result, attempt))
        return result

    def _retry_delay(self, result: Response, attempt: int) -> float:
        delay = self.backoff * 2 ** attempt
        after = result.headers.get("retry-after", "")
        if after.isdigit():                       # the server's own word, within reason
            delay = max(delay, min(int(after), 8 * self.backoff + 1))
        return delay

    async def _follow(self, method: str, url: str, max_bytes: int | None, read_body: bool,
                      follow: bool) -> Response:
        result = Response(url)
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            result.final_url = current
            status, headers, body, error = await self._one(method, current, max_bytes, read_body)
            if error is not None:
                result.error, result.error_kind = error
                return result
            result.status, result.headers, result.content = status, headers, body
            location = headers.get("location")
            if status not in REDIRECTS or not location or not follow:
                return result
            target = urljoin(current, location.strip())
            result.redirects.append({"url": current, "status": status, "location": target})
            if status == 303:
                method = "GET"
            current = target
        result.error, result.error_kind = f"more than {MAX_REDIRECTS} redirects", "network"
        result.status = 0
        return result

    async def _one(self, method: str, url: str, max_bytes: int | None, read_body: bool):
        """One request, no redirects: (status, headers, body, None) or (0, {}, None, (message, kind))."""
        problem = check_url(url)
        if problem:
            return 0, {}, None, (f"URL {problem}", "blocked")
        parts = urlsplit(url)
        host = parts.hostname or ""          # check_url made sure there is one
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        async with self._host_lock(host), self._slots:     # waiting for a busy host holds no slot
            await self._pause(host)
            try:
                address = await self._resolve(host, port)
            except Refused as exc:
                return 0, {}, None, (str(exc), "blocked")
            except socket.gaierror as exc:
                kind = "dns" if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)) else "network"
                return 0, {}, None, (f"host {host} not found ({exc.strerror})", kind)
            pinned = httpx.URL(url).copy_with(host=address)
            headers = {"Host": httpx.URL(url).netloc.decode("ascii")}
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._send(method, pinned, headers, host, max_bytes, read_body)
            except (TimeoutError, httpx.TimeoutException):
                return 0, {}, None, (f"no answer within {self.timeout:g} s", "timeout")
            except httpx.ConnectError as exc:
                text = str(exc) or type(exc).__name__
                if _caused_by(exc, ConnectionRefusedError) or "refused" in text.lower():
                    return 0, {}, None, ("connection refused", "refused")
                if "ssl" in text.lower() or "certificate" in text.lower():
                    return 0, {}, None, (f"TLS failed: {_short(text)}", "tls")
                return 0, {}, None, (f"cannot connect: {_short(text)}", "network")
            except httpx.HTTPError as exc:
                return 0, {}, None, (f"{type(exc).__name__}: {_short(str(exc))}", "network")
            finally:
                self._last[host] = time.monotonic()

    async def _send(self, method, pinned, headers, host, max_bytes, read_body):
        request = self.client.build_request(method, pinned, headers=headers, extensions={"sni_hostname": host})
        response = await self.client.send(request, stream=True)
        try:
            fields = {k.lower(): v for k, v in response.headers.items()}
            body = None
            if read_body and response.status_code not in REDIRECTS:
                length = fields.get("content-length", "")
                if max_bytes is not None and length.isdigit() and int(length) > max_bytes:
                    return 0, fields, None, (f"is {int(length) / 1048576:.1f} MB, more than the "
                                             f"{max_bytes / 1048576:.0f} MB limit", "too-big")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():     # decompressed: the cap is on what we keep
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        return 0, fields, None, (f"is more than the {max_bytes / 1048576:.0f} MB limit",
                                                 "too-big")
                    chunks.append(chunk)
                body = b"".join(chunks)
            return response.status_code, fields, body, None
        finally:
            await response.aclose()

    def _host_lock(self, host: str) -> asyncio.Lock:
        return self._hosts.setdefault(host, asyncio.Lock())

    async def _pause(self, host: str) -> None:
        """Politeness: leave ``per_host_delay`` seconds between requests to one host."""
        last = self._last.get(host)
        if last is not None:
            wait = self.per_host_delay - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)

    async def _resolve(self, host: str, port: int) -> str:
        """The address to connect to: checked to be public unless private ones are allowed."""
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            # IPv4 first: many CI runners have no IPv6 route, and one address is all we connect to
            infos.sort(key=lambda info: info[0] != socket.AF_INET)
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "no address")
        if not self.allow_private:
            private = [a for a in addresses if not is_public(a)]
            if private:
                raise Refused(f"host {host} resolves to the non-public address {private[0]}: refused "
                              f"(see --allow-private)")
        return addresses[0]


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Is ``kind`` anywhere in the chain of exceptions httpx wrapped?"""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, kind) or any(isinstance(e, kind) for e in getattr(current, "exceptions", ())):
            return True
        current = current.__cause__ or current.__context__
    return False


def _short(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
