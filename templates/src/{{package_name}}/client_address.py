"""The client's address behind trusted reverse proxies, worked out the same way in every framework.

A reverse proxy opens its own connection to the server, so the peer of every request it
passes on is the proxy. It tells the client's address in `X-Forwarded-For`, appending the
address it saw to whatever the request already carried there. Only what trusted proxies
appended can be believed: reading from the right, each trusted proxy vouches for the entry
to its left, and the first address that is not a trusted proxy is the client. Everything
further left was written by the client and is ignored, so a client cannot choose its address.
"""

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_FOR_HEADER = "X-Forwarded-For"
# A request that came through a Unix socket and no proxy has no address to tell.
UNKNOWN_CLIENT = "unknown"


def parse_address(text: str) -> IPAddress | None:
    """`203.0.113.7`, `203.0.113.7:51000`, `2001:db8::1` or `[2001:db8::1]:51000`; else None.

    IPv4 addresses mapped into IPv6 (`::ffff:203.0.113.7`, as a dual-stack socket reports
    them) are read as the IPv4 address they stand for.
    """
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_network(text: str) -> IPNetwork:
    """`10.0.0.7` (one address) or `10.0.0.0/8`; `10.0.0.7/8` is refused as a likely typo."""
    return ipaddress.ip_network(text.strip())


class TrustedProxies:
    """The addresses and networks of the reverse proxies whose `X-Forwarded-For` is believed."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks = tuple(parse_network(network) for network in networks)

    def __contains__(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def client_address(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address, from the connection's peer and its `X-Forwarded-For` headers.

        `peer` is the address the connection comes from (None for a Unix socket, which only
        a local proxy can reach, so it is trusted like one); `forwarded_for` holds the values
        of every `X-Forwarded-For` header, in the order received.
        """
        if peer:
            address = parse_address(peer)
            if address is None or address not in self:
                return str(address or peer)
            client = str(address)
        else:
            client = UNKNOWN_CLIENT
        hops = [hop for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:
                # Not an address: no proxy wrote it. The last hop that could be checked stays.
                break
            client = str(address)
            if address not in self:
                break
        return client
