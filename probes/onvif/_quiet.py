"""Import onvif-zeep without its side effect on logging.

onvif/client.py calls logging.basicConfig(level=INFO) at import time, which would make every
zeep and urllib3 INFO message appear on camaudit's terminal. The package imports this module
first, so every later `import onvif` finds it already loaded.
"""

import logging

_root = logging.getLogger()
_handlers, _level = list(_root.handlers), _root.level
import onvif  # noqa: E402,F401 - imported for its side effect, which is undone below

_root.handlers[:] = _handlers
_root.setLevel(_level)
