"""Remove secrets from anything that may end up as evidence.

Old Hikvision firmware returns FTP/mail passwords and the EZVIZ verification code in clear
unless asked with ?security=1; Dahua configManager returns Email/FTP passwords in clear.
Evidence excerpts pass through here, so no password can reach the store, logs or reports.
"""

from __future__ import annotations

import re

_SECRET_WORDS = r"(?:password|passwd|pwd|secret|verificationcode|token|encryptkey|\bkey)"
_XML_SECRET = re.compile(rf"(<(?:\w+:)?(\w*{_SECRET_WORDS}\w*)\b[^>]*>)[^<]*(</)", re.IGNORECASE)
_KV_SECRET = re.compile(rf"((?:^|[.\s&?])[\w.\[\]]*{_SECRET_WORDS}[\w\[\]]*=)[^\r\n&]*",
                        re.IGNORECASE | re.MULTILINE)
_JSON_SECRET = re.compile(rf'("\w*{_SECRET_WORDS}\w*"\s*:\s*)"[^"]*"', re.IGNORECASE)

REDACTED = "***"


def redact(text: str) -> str:
    """The text with the values of secret-looking XML elements, key=value pairs and JSON keys masked."""
    text = _XML_SECRET.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _KV_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    return _JSON_SECRET.sub(lambda m: m.group(1) + f'"{REDACTED}"', text)
