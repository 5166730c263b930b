"""Discovery responders: WS-Discovery (3702), Hikvision SADP (37020), Dahua DHIP (37810).

Each module exports ``make_responder(device) -> DatagramHandler``; the runtime binds one UDP
socket per device and protocol on the device's own loopback address (see
``runtime.device.DISCOVERY_FAMILIES``). Discovery answers need no credentials on real
devices, which is why they matter to an audit: they leak model, serial, firmware and (SADP)
the Hik-Connect cloud state to anyone on the LAN.
"""
