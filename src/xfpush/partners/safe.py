"""What leaves xfpush is safe: URLs without secrets, spreadsheet cells without formulas.

``redact_url`` is applied wherever a destination is shown or stored (output, errors, the
ledger, reports); ``scrub`` is the last line of defence for messages that may quote a URL;
``safe_cell`` neutralises text from outside (partner answers, message text) before it becomes a
CSV or XLSX cell, so a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_PARAMS = frozenset({"password", "passwd", "pwd", "pass", "secret", "token",
                           "access_token", "api_key", "apikey", "key", "sig", "signature"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _split(url: str) -> tuple[str, str, str, str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment


def redact_url(url: str) -> str:
    """``http://alice:pw@host/p?token=x`` → ``http://alice:***@host/p?token=***``."""
    split = _split(url)
    if split is None:
        return MASK
    scheme, netloc, path, query, fragment = split
    userinfo, at, host = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in SECRET_PARAMS for name, _ in pairs):
            query = urlencode([(name, MASK if name.lower() in SECRET_PARAMS else value)
                               for name, value in pairs], safe="*@,")
    return urlunsplit((scheme, netloc, path, query, fragment))


def secrets_of(url: str) -> list[str]:
    """The secret pieces of a URL (password, secret query values), raw and decoded."""
    split = _split(url)
    if split is None:
        return [url]
    _, netloc, _, query, _ = split
    found: list[str] = []
    userinfo, at, _ = netloc.rpartition("@")
    if at and ":" in userinfo:
        found.append(userinfo.split(":", 1)[1])
    found += [value for name, value in parse_qsl(query, keep_blank_values=True)
              if name.lower() in SECRET_PARAMS]
    found += [unquote(value) for value in found]
    return sorted({value for value in found if value}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with ``url`` shown redacted and none of its secrets left anywhere in it."""
    text = text.replace(url, redact_url(url))
    for secret in secrets_of(url):
        text = text.replace(secret, MASK)
    return text


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet will show, never evaluate; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
