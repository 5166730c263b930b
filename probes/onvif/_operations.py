"""The ONVIF reads camaudit sends, as data: operation -> service, namespace, SOAP action, parameters.

Every request is one of these fixed Get* bodies (no SOAP library builds anything per device).
Body element, namespace and action are those of the ONVIF WSDLs (devicemgmt.wsdl, media.wsdl,
events.wsdl, analytics.wsdl at www.onvif.org/ver10|ver20/...; the copies onvif-zeep ships).
tests/probes/test_onvif_envelopes.py builds each operation with zeep from those WSDLs and checks
that our body element, its namespace, its parameters and the action agree, so this table cannot
drift from the spec. The WSDLs declare elementFormDefault="qualified": parameters sit in the
operation's namespace, which the default namespace on the operation element gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

DEVICE = "http://www.onvif.org/ver10/device/wsdl"          # tds
MEDIA = "http://www.onvif.org/ver10/media/wsdl"            # trt
EVENTS = "http://www.onvif.org/ver10/events/wsdl"          # tev
ANALYTICS = "http://www.onvif.org/ver20/analytics/wsdl"    # tan: AnalyticsEngine and RuleEngine bindings
# Service name -> namespace, as GetServices lists them. "rules" is the RuleEngine binding, which
# shares the analytics namespace and XAddr.
SERVICE_NAMESPACES = {"devicemgmt": DEVICE, "media": MEDIA, "events": EVENTS, "analytics": ANALYTICS}


class NotARead(RuntimeError):
    """A camaudit bug: something tried to send an ONVIF operation that is not a Get* read."""


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    namespace: str
    action: str                       # the WSDL's soapAction, sent as the SOAP 1.2 `action` parameter
    params: tuple[str, ...] = ()      # child elements, in schema order

    def body(self, values: dict[str, str]) -> str:
        """The SOAP Body content: `<GetX xmlns="ns"><Param>value</Param></GetX>`."""
        if set(values) - set(self.params):
            raise TypeError(f"{self.name} takes {self.params or 'no parameters'}, not {sorted(values)}")
        inner = "".join(f"<{p}>{escape(str(values[p]))}</{p}>" for p in self.params if p in values)
        return f'<{self.name} xmlns="{self.namespace}">{inner}</{self.name}>'


def _op(service: str, name: str, *params: str, action: str | None = None) -> Operation:
    namespace = SERVICE_NAMESPACES["analytics" if service == "rules" else service]
    return Operation(service, name, namespace, action or f"{namespace}/{name}", params)


OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    _op("devicemgmt", "GetSystemDateAndTime"),
    _op("devicemgmt", "GetDeviceInformation"),
    _op("devicemgmt", "GetServices", "IncludeCapability"),
    _op("devicemgmt", "GetCapabilities", "Category"),
    _op("devicemgmt", "GetNetworkInterfaces"),
    _op("devicemgmt", "GetScopes"),
    _op("devicemgmt", "GetHostname"),
    _op("devicemgmt", "GetNTP"),
    _op("devicemgmt", "GetNetworkProtocols"),
    _op("media", "GetProfiles"),
    _op("media", "GetVideoAnalyticsConfigurations"),
    # events.wsdl names its actions after the port type, not the namespace alone.
    _op("events", "GetEventProperties", action=f"{EVENTS}/EventPortType/GetEventPropertiesRequest"),
    _op("analytics", "GetSupportedAnalyticsModules", "ConfigurationToken"),
    _op("analytics", "GetAnalyticsModules", "ConfigurationToken"),
    _op("rules", "GetSupportedRules", "ConfigurationToken"),
    _op("rules", "GetRules", "ConfigurationToken"),
)}


def require_read(operation: str) -> None:
    if not operation.startswith("Get"):
        raise NotARead(f"ONVIF {operation or 'request without an operation'} is not a read; "
                       "camaudit only sends Get* operations")


def operation(service: str, name: str) -> Operation:
    """The table entry for a read; raises NotARead for anything else."""
    require_read(name)
    found = OPERATIONS.get(name)
    if found is None or found.service != service:
        raise NotARead(f"ONVIF {service} {name} is not in camaudit's table of reads")
    return found
