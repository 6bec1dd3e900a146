"""Keeping API keys out of everything but the wire.

The Odds API takes its key as the ``apiKey`` query parameter, so any URL the client builds
would carry it into httpx's own request log, exception texts and our records. Instead the
``httpx.Client`` only ever sees keyless requests; ``CredentialTransport`` adds the key to an
outgoing copy at the transport boundary, and ``Redactor`` scrubs any text that leaves the
feed layer in case a provider echoes a key back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import httpx

REDACTED = "***"
_KEY_IN_URL = re.compile(r"(?i)(api_?key=)[^&\s\"'#]+")


class Redactor:
    """Replaces known secrets and any ``apiKey=...`` value in text with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _KEY_IN_URL.sub(rf"\g<1>{REDACTED}", text)


class CredentialTransport(httpx.BaseTransport):
    """Adds credentials to an outgoing copy of each request, never to the original."""

    def __init__(
        self, inner: httpx.BaseTransport, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> None:
        self._inner = inner
        self._params = dict(params)
        self._headers = dict(headers)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_merge_params(self._params) if self._params else request.url
        headers = request.headers.copy()
        headers.update(self._headers)
        outgoing = httpx.Request(
            request.method,
            url,
            headers=headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return self._inner.handle_request(outgoing)

    def close(self) -> None:
        self._inner.close()
