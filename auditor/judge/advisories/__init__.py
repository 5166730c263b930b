"""Security advisories as data: one TOML file per vendor, matched against a device by version only.

    data.py      load and check the files (bundled, or a newer set installed by `camaudit advisories update`)
    versions.py  firmware version comparison per vendor scheme, answering yes / no / cannot tell
    match.py     one DeviceAudit against the advisories -> likely affected / cannot tell
"""
