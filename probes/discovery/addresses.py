"""Turn a scope address into a socket address, or say in one line why it cannot be used.

Addresses reach discovery already numeric, but an IPv6 link-local address carries a zone
(`fe80::1%eth0`) that only resolves if that interface exists on this machine. One such address
used to raise inside the UDP discovery thread and silence discovery for every device in the
scope (issue 10.4); now it is checked once, up front, and reported against that address only.
"""

from __future__ import annotations

import socket


def family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def sockaddr(address: str, port: int, kind: int = socket.SOCK_DGRAM) -> tuple:  # type: ignore[type-arg]
    """Numeric sockaddr, keeping an IPv6 zone (fe80::1%eth0). Raises OSError, UnicodeError, ValueError."""
    return socket.getaddrinfo(address, port, family(address), kind, 0, socket.AI_NUMERICHOST)[0][4]


def address_problem(address: str) -> str | None:
    """None when `address` can be probed; else one sentence naming it and saying what to do."""
    try:
        sockaddr(address, 9)
    except (OSError, UnicodeError, ValueError) as exc:
        host, _, zone = address.partition("%")
        if zone:
            return (f"{address}: this machine has no network interface '{zone}', so nothing can be sent to "
                    f"that link-local address; write it with an existing interface (e.g. {host}%eth0) "
                    "or leave it out.")
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        return f"{address}: not an address this machine can send to ({reason}); check the target."
    return None


def send_problem(address: str, protocol: str, exc: OSError) -> str:
    """One sentence for a datagram the kernel refused (no route, a broadcast address, ...)."""
    return f"{address}: the {protocol} discovery probe could not be sent ({exc.strerror or exc})."
