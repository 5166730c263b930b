"""Phone-home emulation: what simulated devices send to the internet.

Two halves, both for testing camaudit's egress analysis:
- ``site.write_site_pcap``: a deterministic capture of a CCTV site plus a ground truth of who
  talked to whom (``truth.SiteTruth``), built from the profiles' ``phone_home`` lists;
- ``live.PhoneHomeEmulator``: the same patterns sent live on loopback, to a simulated DNS
  resolver and simulated internet hosts, from each simulated device's own address.
"""
