"""The one function that decides an article's canonical URL, and its helpers.

Two links to the same article must give the same key in ``articles.url``: tracking parameters
(``utm_*``, ``fbclid``, …) and fragments are dropped, the scheme and host are lower-cased, default
ports and empty queries removed. A page's own ``<link rel="canonical">`` wins when it points to the
same site (a canonical on another site is more often a syndication mistake than the truth).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
        "mc_eid", "_ga", "_gl", "ref", "ref_src", "cmpid", "ncid", "ito", "spm", "share",
        "from", "s_cid", "at_medium", "at_campaign", "oly_enc_id", "oly_anon_id", "vero_id",
        "rss", "feed", "outputtype",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs", "at_")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """Resolve ``url`` against ``base`` and normalise it (see module docstring)."""
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    if ":" in (parts.hostname or "") and not host.startswith("["):  # IPv6 literal
        host = f"[{host}]"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not _is_tracking(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))


def same_site(a: str, b: str) -> bool:
    """True when one URL's host is the other's, or a subdomain of it (``www.`` ignored)."""
    host_a, host_b = _bare_host(a), _bare_host(b)
    return bool(host_a) and (
        host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)
    )


def _bare_host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def host_of(url: str) -> str:
    """The host:port a politeness delay is kept for."""
    return urlsplit(url).netloc.lower()
