"""Sign-in by a reverse proxy that already signed the person in (Windows integrated sign-in, Kerberos), naming
them in a header. Flask-free: the sign-in view passes the connection's peer address and the headers.

The header is believed only when both hold: the connection comes from one of the configured proxy networks
(TRUSTED_HEADER_PROXIES: the address the portal's own server sees, before PROXY_COUNT's X-Forwarded-For is
applied) and the shared-secret header the proxy adds matches TRUSTED_HEADER_SECRET (compared in constant
time). A client that sends the name header itself has neither: the header is ignored and the attempt audited.
"""

from __future__ import annotations

import hmac
import ipaddress


def refusal(sso, peer: str | None, sent_secret: str | None) -> str | None:
    """Why a request's trusted header is not believed ("address" or "secret"), or None when it is."""
    try:
        address = ipaddress.ip_address((peer or "").split("%")[0])
    except ValueError:
        return "address"
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not any(address in network for network in sso.trusted_proxies):
        return "address"
    if not sent_secret or not hmac.compare_digest(sent_secret.encode(), sso.trusted_secret.encode()):
        return "secret"
    return None


def principal(value: str, match: str) -> str:
    """The roster key in a proxy's user name: `CORP\\alice` and `alice@CORP.EXAMPLE` are `alice` (the realm
    or domain is the proxy's business); an email address is kept whole."""
    name = value.strip()
    if match == "email":
        return name
    name = name.rsplit("\\", 1)[-1]
    return name.split("@", 1)[0]


def names(user, match: str, name: str) -> bool:
    """Whether the roster key `name` (from principal) is this person's."""
    if match == "email":
        return (user.email or "").lower() == name.lower()
    if match == "employee_no":
        return user.employee_no == name
    return (user.login_id or "") == name.lower()
