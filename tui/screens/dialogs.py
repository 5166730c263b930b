"""Modal dialogs: start an audit, analyse a capture, export a view, show an error, help."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from models.errors import CamauditError, CredentialsError, UsageError
from tui.data.export import export_format
from tui.services import AuditRequest, EgressRequest


def _input(placeholder: str, *, id: str, value: str = "", password: bool = False,  # noqa: A002
           blink: bool = True) -> Input:
    box = Input(value=value, placeholder=placeholder, id=id, password=password)
    box.cursor_blink = blink
    return box


class Dialog(ModalScreen[object]):
    """A centred box with buttons; escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    @property
    def blink(self) -> bool:
        return bool(getattr(self.app, "cursor_blink", True))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def buttons(self, ok: str) -> Horizontal:
        return Horizontal(Button(ok, variant="primary", id="ok"), Button("Cancel", id="cancel"), classes="buttons")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submit()

    def submit(self) -> None:
        raise NotImplementedError


class ErrorModal(Dialog):
    """The error's title and the very sentence the CLI would print."""

    def __init__(self, error: CamauditError) -> None:
        super().__init__(classes="error")
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-box"):
            yield Label(self.error.title, classes="dialog-title")
            yield Static(self.error.message, id="error-message")
            yield Horizontal(Button("OK", variant="error", id="ok"), classes="buttons")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def submit(self) -> None:
        self.dismiss(None)


class QuitDialog(Dialog):
    """Asked before quitting while an audit or a watch runs: quitting stops it (the run is kept as
    interrupted, with the devices finished so far)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Quit camaudit?", classes="dialog-title")
            yield Static(f"{self.what} is still running. Quitting stops it; what it finished so far is kept "
                         "and the run is recorded as interrupted.", id="quit-message")
            yield Horizontal(Button("Quit", variant="error", id="ok"), Button("Keep working", id="cancel"),
                             classes="buttons")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def submit(self) -> None:
        self.dismiss(True)


class AuditDialog(Dialog):
    """Targets, and a credentials file and/or one account for this audit. The password is never stored or
    shown again; the file is read by the auditor when the audit starts (its errors come back in the modal)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Audit a range of addresses", classes="dialog-title")
            yield Static("Targets: addresses, CIDRs, ranges, host names or URLs, separated by spaces "
                         "(e.g. 192.168.1.0/24 192.168.2.1-50 cam.local:8080).", classes="hint")
            yield _input("192.168.1.0/24", id="targets", blink=self.blink)
            yield Static("Credentials file (optional; TOML as for camaudit audit --credentials):", classes="hint")
            yield _input("site.toml", id="credentials", blink=self.blink)
            yield Static("... and/or one account tried once per device (kept in memory for this run only):",
                         classes="hint")
            with Horizontal(classes="account"):
                yield _input("user", id="user", blink=self.blink)
                yield _input("password", id="password", password=True, blink=self.blink)
            yield self.buttons("Start audit")

    def on_mount(self) -> None:
        self.query_one("#targets", Input).focus()

    def submit(self) -> None:
        targets = tuple(self.query_one("#targets", Input).value.replace(",", " ").split())
        user = self.query_one("#user", Input).value.strip() or None
        password_box = self.query_one("#password", Input)
        password = password_box.value or None
        password_box.value = ""
        file_text = self.query_one("#credentials", Input).value.strip()
        credentials = Path(file_text).expanduser() if file_text else None
        if not targets:
            self.app.push_screen(ErrorModal(UsageError(
                "No target was given; examples: 192.168.1.20, 192.168.1.0/24, cam.local:8080.")))
            return
        if password and not user:
            self.app.push_screen(ErrorModal(UsageError("A password was given without a user; add the user.")))
            return
        if credentials is not None and not credentials.is_file():
            self.app.push_screen(ErrorModal(CredentialsError(
                f"The credentials file {credentials} does not exist or is not a file; give the path of a TOML "
                "file, or leave the field empty.")))
            return
        self.dismiss(AuditRequest(targets, user, password if user else None, credentials))


class EgressDialog(Dialog):
    """A capture file to analyse, or an interface to watch live."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Which external servers do the cameras talk to?", classes="dialog-title")
            yield Static("A pcap or pcapng file (e.g. from camaudit sim pcap, or a mirror port):", classes="hint")
            yield _input("site.pcap", id="capture", blink=self.blink)
            yield Static("... or an interface to watch live, and for how many seconds (empty: until x):",
                         classes="hint")
            with Horizontal(classes="account"):
                yield _input("eth0", id="interface", blink=self.blink)
                yield _input("seconds", id="duration", blink=self.blink)
            yield self.buttons("Start")

    def on_mount(self) -> None:
        self.query_one("#capture", Input).focus()

    def submit(self) -> None:
        text = self.query_one("#capture", Input).value.strip()
        interface = self.query_one("#interface", Input).value.strip()
        seconds = self.query_one("#duration", Input).value.strip()
        if text and interface:
            return self._refuse("Give either a capture file or an interface to watch, not both.")
        if text:
            path = Path(text).expanduser()
            if not path.is_file():
                return self._refuse(f"The capture file {path} does not exist.")
            self.dismiss(EgressRequest(capture=path))
            return None
        if not interface:
            return self._refuse("Give a capture file to analyse or an interface to watch.")
        try:
            duration = float(seconds) if seconds else None
        except ValueError:
            duration = -1.0
        if duration is not None and duration <= 0:
            return self._refuse(f"'{seconds}' is not a number of seconds above 0; leave it empty to watch until x.")
        self.dismiss(EgressRequest(interface=interface, duration=duration))
        return None

    def _refuse(self, sentence: str) -> None:
        self.app.push_screen(ErrorModal(UsageError(sentence)))


class ExportDialog(Dialog):
    """Where to write the current view; .csv or .json picks the format."""

    def __init__(self, default: Path, rows: int) -> None:
        super().__init__()
        self.default = default
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Export {self.rows} row(s)", classes="dialog-title")
            yield Static("File name ending in .csv or .json:", classes="hint")
            yield _input("", id="path", value=str(self.default), blink=self.blink)
            yield self.buttons("Export")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def submit(self) -> None:
        path = Path(self.query_one("#path", Input).value.strip()).expanduser()
        try:
            export_format(path)
        except UsageError as exc:
            self.app.push_screen(ErrorModal(exc))
            return
        self.dismiss(path)


HELP = """\
[b]camaudit[/b] shows what your cameras can do, what is switched on and where they send data.
Everything comes from the database; audits run in the background and rows appear as devices finish.

[b]Screens[/b]     [b]1[/b] Fleet   [b]2[/b] Findings   [b]3[/b] Egress   [b]4[/b] Runs   [b]enter[/b] open a device

[b]Everywhere[/b]  [b]a[/b] audit a range of addresses   [b]x[/b] stop the running audit or watch
            [b]e[/b] export the view (CSV/JSON)   [b]?[/b] this help   [b]q[/b] quit
[b]Tables[/b]      arrows or [b]j/k[/b] move · [b]g/G[/b] first/last row · [b]left/right[/b] pick a column
            [b]s[/b] sort by it (again: reverse) · [b]/[/b] filter by text, [b]escape[/b] clears it
            mouse: click a header to sort, click a row twice to open it
[b]Fleet[/b]       [b]/[/b] filter by text · [b]b[/b] biometric on · [b]h[/b] Hikvision/Dahua incl. rebadged
            [b]p[/b] phones home · [b]u[/b] unreachable · [b]escape[/b] clear the filters
[b]Device[/b]      [b][ ][/b] previous/next tab · [b]escape[/b] back
[b]Runs[/b]        [b]space[/b] mark a run · [b]c[/b] compare the two marked runs
[b]Egress[/b]      [b]n[/b] analyse a capture file or watch an interface

[b]Columns[/b]  Bio: a biometric analytic (face detection/capture/recognition/library, age and gender,
emotion, face attributes, mask, thermal) is on. On: analytics switched on. Remote: cloud, platform,
DDNS, UPnP, e-mail or FTP access is on. Egress: unknown destinations (unk) or vendor clouds (cld)
in the latest capture of the device; "-" means no capture covered it.
[yellow]?[/] always means the device would not tell us - never "no".

[b]First run[/b]  press [b]a[/b] and give your camera network (e.g. 192.168.1.0/24), or run
camaudit audit TARGET --db FILE and open that file with camaudit tui --db FILE.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label("Help", classes="dialog-title")
            yield Static(HELP, id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
