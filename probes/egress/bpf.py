"""The BPF (libpcap) capture filter that drops intra-site traffic before anything dissects it.

On a CCTV site ~97% of the frames are RTSP/RTP between cameras and the recorder; libpcap runs
this filter in the kernel (live, `dumpcap -f`) or in tcpdump's reader (files) at a fraction of
tshark's cost. It must keep *at least* every frame that the display filter
(`SiteNetworks.display_filter`) keeps, because tshark applies that filter afterwards and the
answer must be the same as without the pre-filter. So it keeps, besides every IPv4/IPv6 frame
whose source and destination are not both on the site:

- all port-53 traffic (the site resolver's answers name the external servers);
- every IPv4 fragment: BPF `port` only looks at first fragments, and tshark needs them all
  to reassemble a fragmented DNS answer;
- every IPv6 frame whose next header is neither TCP, UDP nor ICMPv6 (extension headers and
  fragments hide the ports from BPF);
- frames it cannot look into (neither IPv4, IPv6, ARP nor 802.1Q: PPPoE, MPLS, ...);
- the same again inside one or two 802.1Q/802.1ad tags (`vlan`): BPF `ip` does not match a
  tagged frame. Every `vlan` keyword moves libpcap's offsets for the rest of the expression,
  so the tagged branches come last and nest; the untagged part tests for tags with
  `ether proto`, which moves nothing.

The allow-list is deliberately *not* part of the filter: allowed destinations are still
reported (label "allowed", bytes each way), so dropping them would change the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from probes.egress.networks import IPNetwork, SiteNetworks

VLAN_DEPTH = 2          # 802.1Q, and 802.1ad Q-in-Q (provider tag + customer tag)
# IPv6 next-header values BPF can see the transport behind: TCP, UDP, ICMPv6.
_IP6_PLAIN = (6, 17, 58)
# 802.1Q, 802.1ad and the old Q-in-Q ethertype; `ether proto` (unlike `vlan`) moves no offsets.
_TAGS = "ether proto 0x8100 or ether proto 0x88a8 or ether proto 0x9100"


def _either(prefix: str, nets: Sequence[IPNetwork]) -> str:
    return " or ".join(f"{prefix} net {n}" for n in nets)


def untagged_filter(site: SiteNetworks) -> str:
    """The cut for an untagged frame (also what follows each `vlan` keyword)."""
    v4 = site.filter_networks(4)
    v6 = site.filter_networks(6)
    ip6_plain = " or ".join(f"ip6[6] == {n}" for n in _IP6_PLAIN)
    clauses = [
        f"(ip and not (({_either('src', v4)}) and ({_either('dst', v4)})))",
        f"(ip6 and not (({_either('src', v6)}) and ({_either('dst', v6)})))",
        "port 53",
        "(ip and ip[6:2] & 0x3fff != 0)",
        f"(ip6 and not ({ip6_plain}))",
        f"not (ip or ip6 or arp or {_TAGS})",
    ]
    return " or ".join(clauses)


def capture_filter(site: SiteNetworks, *, vlan_depth: int = VLAN_DEPTH) -> str:
    """One BPF expression for untagged and up to `vlan_depth` 802.1Q-tagged frames."""
    inner = untagged_filter(site)
    expression = f"({inner})"
    for _ in range(vlan_depth):
        # libpcap's `and` and `or` bind equally and associate left: every group is explicit.
        expression = f"({inner}) or (vlan and {expression})"
    return expression
