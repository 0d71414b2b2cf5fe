"""Links as people write them and as machines read them.

A message may give ``https://消防.中国/xf/东城``: people read that form (SMS, posts, the proof
page), but a QR code, an ESC/POS printer and many scanners only carry ASCII. ``ascii_link`` is
the one place a link becomes ASCII: the host in punycode (IDNA), the path, query and fragment
percent-encoded as UTF-8, existing ``%XX`` escapes and ASCII links left exactly as they are.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

# Characters a URL may carry unescaped in its path, query or fragment (RFC 3986), plus "%"
# so that a link already percent-encoded is not encoded twice.
_SAFE = "/:@!$&'()*+,;=-._~%?#[]"


class LinkError(ValueError):
    """A link that cannot be carried, with a Chinese reason."""


def control_characters(url: str) -> list[str]:
    """The control and invisible format characters in ``url`` (``U+0000``-style names)."""
    return [f"U+{ord(c):04X}" for c in url if unicodedata.category(c) in ("Cc", "Cf")]


def ascii_link(url: str) -> str:
    """The ASCII form of an http(s) link (punycode host, percent-encoded UTF-8 elsewhere).

    An ASCII link comes back unchanged. Raises ``LinkError`` when the host cannot be
    expressed in IDNA (an empty label, a label over 63 characters, forbidden characters).
    """
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if not hostport.startswith("[") and hostport.count(":") == 1:
        host, port = hostport.split(":")
        port = ":" + port
    if not host.isascii():
        host = _punycode(host)
    if userinfo and not userinfo.isascii():
        userinfo = quote(userinfo, safe=":%!$&'()*+,;=-._~")
    netloc = f"{userinfo}{at}{host}{port}"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_SAFE),
                       quote(parts.query, safe=_SAFE), quote(parts.fragment, safe=_SAFE)))


def _punycode(host: str) -> str:
    # Full stops of other scripts (。．｡) separate labels as "." does (IDNA 2003, UTS #46).
    for dot in "\u3002\uff0e\uff61":
        host = host.replace(dot, ".")
    trailing = "." if host.endswith(".") else ""
    labels = host.rstrip(".").split(".")
    try:
        if not all(labels):
            raise UnicodeError("empty label")
        encoded = [label.encode("idna").decode("ascii") for label in labels]
    except UnicodeError as exc:
        raise LinkError(f"域名“{host}”无法转换为国际化域名（IDNA）形式，"
                        "请检查是否有空的一段、某段过长或含不允许的字符") from exc
    return ".".join(encoded) + trailing
