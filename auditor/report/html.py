"""The HTML report: one self-contained page (inline CSS, no scripts, no external assets),
readable on screen and printable to A4."""

from __future__ import annotations

import re

from auditor.report.html_device import device_section, status_badge
from auditor.report.html_parts import Html, badge, bullets, count, facts, join, table, tag, text
from auditor.report.html_style import STYLE
from auditor.report.model import Report, Summary
from auditor.report.views import (
    OUTCOMES,
    device_row,
    drift_intro,
    drift_row,
    drift_tables,
    egress_line,
    first_run_note,
    headline,
    options_lines,
    protocols_line,
    scope_lines,
    when,
)
from models.drift import Drift

# No scripts, no fetches: even a device string that escaped escaping could not run or call out.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
SECTIONS = (("scope", "Scope and method"), ("summary", "Executive summary"),
            ("changes", "Changes since the previous audit"), ("devices", "Devices"),
            ("details", "Device details"), ("appendix", "Appendix: features, remote access and guidance"))


def _scope(r: Report) -> Html:
    s = r.scope
    parts = [facts(scope_lines(s)), tag("h3", "Targets (as given)"), bullets(s.targets or ["none recorded"]),
             tag("h3", "How the audit ran"), bullets(options_lines(s)), tag("h3", "Method"),
             bullets(r.appendix["method"])]
    parts.append(tag("h3", "What was probed"))
    if s.protocols:
        parts.append(tag("p", protocols_line(s)))
    rows = [[t.probe, *[str(t.outcomes.get(o, 0)) for o in OUTCOMES]] for t in s.probes]
    parts.append(table(["Probe", *OUTCOMES], rows, numeric=range(1, len(OUTCOMES) + 1), cls="narrow") if rows
                 else tag("p", "No probe ran.", cls="note"))
    parts.append(tag("h3", "What was not probed, and why"))
    if s.not_audited:
        parts.append(table(["Device", "Status", "Reason"],
                           [[n.label, status_badge(n.status), Html("<br>".join(text(x) for x in n.reasons))]
                            for n in s.not_audited]))
    else:
        parts.append(tag("p", "Every recorded device answered and camaudit could read its settings."))
    if s.partial:
        parts.append(tag("h3", "Read in part (some probes failed)"))
        parts.append(table(["Device", "What failed"], [[n.label, Html("<br>".join(text(x) for x in n.reasons))]
                                                       for n in s.partial]))
    return join(parts)


def _cards(m: Summary, r: Report) -> Html:
    cards = [tag("div", tag("div", str(m.devices), cls="figure", id="device-count")
                 + tag("div", "devices recorded in this run", cls="what"), cls="card")]
    for label, c, alert in (("reachable", m.reachable, False), ("settings read (logged in)", m.logged_in, False),
                            ("biometric processing active", m.biometric_active, True),
                            ("remote access or uploads enabled (NTP excluded)", m.remote_enabled, True),
                            ("devices with a critical finding", m.devices_with_critical, True)):
        cards.append(tag("div", tag("div", c.text(), cls="figure") + tag("div", label, cls="what"),
                         cls="card alert" if alert and c.count else "card"))
    if m.egress_unknown is not None:
        cards.append(tag("div", tag("div", m.egress_unknown.text(), cls="figure")
                         + tag("div", "talking to unknown external servers", cls="what"), cls="card alert"))
    return tag("div", join(cards), cls="cards")


def _summary(r: Report) -> Html:
    m = r.summary
    parts = [tag("p", headline(m), cls="headline"), _cards(m, r)]
    if r.sites:
        parts.append(tag("h3", "Sites"))
        parts.append(tag("p", f"This report is of site {r.site}; the organisation's sites, each at its latest "
                              f"complete audit:", cls="note"))
        parts.append(table(["Site", "Run", "Started", "State", "Devices", "Reachable", "Findings"],
                           [[x.site, str(x.run_id), when(x.started), x.state, str(x.devices), str(x.reachable),
                             str(x.findings)] for x in r.sites], numeric=(1, 4, 5, 6), cls="narrow"))
    parts.append(tag("h3", "Devices by true maker"))
    parts.append(table(["Made by", "Devices", "Rebadged", "Sold as"],
                       [[x.manufacturer, count(x.devices), str(x.rebadged), ", ".join(x.sold_as) or "—"]
                        for x in m.makers], numeric=(1, 2), cls="narrow"))
    parts.append(tag("p", f"Rebadged (sold under another brand): {m.rebadged.text()}.", cls="note"))
    parts.append(tag("h3", "Analytics classes"))
    parts.append(tag("p", "A device counts for a class when any feature of the class is supported or on. "
                          "\"Unknown\" counts devices where none is known to be on but at least one could not be "
                          "read; they are not counted as off.", cls="note"))
    parts.append(table(["Class", "Supported", "Support unknown", "Enabled", "Whether on unknown"],
                       [[c.label, count(c.supported), count(c.supported_unknown), count(c.enabled),
                         count(c.enabled_unknown)] for c in m.classes], numeric=(1, 2, 3, 4), cls="narrow"))
    parts.append(tag("h3", "Remote access"))
    parts.append(table(["Setting", "Enabled", "Unknown"],
                       [[x.label, count(x.enabled), count(x.unknown)] for x in m.remote], numeric=(1, 2),
                       cls="narrow"))
    parts.append(tag("h3", "Egress"))
    parts.append(tag("p", egress_line(m, r.egress)))
    parts.append(tag("h3", "Findings by severity"))
    parts.append(table(["Severity", "Findings"], [[badge(s, f"sev-{s}"), str(n)]
                                                  for s, n in m.findings_by_severity.items()], numeric=(1,),
                       cls="narrow"))
    parts.append(tag("h3", "Each feature across the fleet"))
    parts.append(table(["Feature", "Supported", "Enabled", "Whether on unknown"],
                       [[join([text(f.label), Html(" "), badge("biometric", "bio")]) if f.biometric else f.label,
                         count(f.supported), count(f.enabled), count(f.enabled_unknown)] for f in m.features],
                       numeric=(1, 2, 3), cls="narrow"))
    return join(parts)


def _changes(drift: Drift | None) -> Html:
    if drift is None:
        return tag("p", first_run_note(), cls="note")
    parts = [tag("p", drift_intro(drift))]
    for title, changes in drift_tables(drift):
        parts.append(tag("h3", title))
        parts.append(table(["Device", "Change", "What changed"], [drift_row(c) for c in changes],
                           row_classes=["relevant" if c.relevant else None for c in changes]))
    return join(parts)


def _device_table(r: Report) -> Html:
    rows = []
    for n, d in enumerate(r.devices, start=1):
        row = device_row(d)
        link = tag("a", d.label, href=f"#{d.anchor}")
        rows.append([str(n), link, row["sold_as_made_by"], row["model"], row["type"], row["firmware"],
                     status_badge(d.status), row["analytics_on"], row["biometric_on"], row["remote_on"],
                     badge(row["worst"], f"sev-{row['worst']}") if row["worst"] else "—"])
    return table(["#", "Device", "Sold as / made by", "Model", "Type", "Firmware", "Status", "Analytics on",
                  "Biometric on", "Remote access on", "Worst finding"], rows, numeric=(0, 7))


def _linked(static: str) -> Html:
    """camaudit's own text with its https addresses as links (never used for device strings)."""
    parts = re.split(r"(https://\S+[^\s.,;)])", static)
    return join(tag("a", p, href=p, cls="external") if p.startswith("https://") else text(p) for p in parts)


def _appendix(r: Report) -> Html:
    a = r.appendix
    features = table(["Feature", "Id", "Biometric", "What it does", "Why it matters"],
                     [[f["label"], f["id"], "yes" if f["biometric"] else "no", f["meaning"], f["why"]]
                      for f in a["features"]])
    remote = table(["Setting", "Id", "Why it matters"], [[x["label"], x["id"], x["why"]] for x in a["remote_access"]])
    guidance = join(tag("div", tag("p", tag("strong", g["title"])) + tag("p", _linked(g["text"])), cls="finding")
                    for g in a["guidance"])
    severities = table(["Severity", "Meaning"], [[badge(s["id"], f"sev-{s['id']}"), s["meaning"]]
                                                 for s in a["severities"]])
    return join([tag("h3", "A. Analytics features"), features, tag("h3", "B. Remote-access settings"), remote,
                 tag("h3", "C. UK GDPR and the ICO's guidance"), guidance, tag("h3", "D. Finding severities"),
                 severities])


def render_html(r: Report) -> str:
    s = r.scope
    toc = tag("nav", tag("strong", "Contents") + tag("ol", join(tag("li", tag("a", title, href=f"#{sid}"))
                                                                for sid, title in SECTIONS)), cls="toc")
    body = [tag("header", tag("h1", r.title) + tag("p", f"Audit run {s.run_id}, started {when(s.started)}. "
                                                        f"Report generated {when(s.generated)} by camaudit "
                                                        f"{s.report_version}.")
                 + tag("p", headline(r.summary), cls="glance"), cls="cover")]
    sections = [("scope", _scope(r)), ("summary", _summary(r)), ("changes", _changes(r.drift)),
                ("devices", _device_table(r)),
                ("details", join(device_section(d, n, r.egress) for n, d in enumerate(r.devices, start=1))),
                ("appendix", _appendix(r))]
    titles = dict(SECTIONS)
    main = [toc] + [tag("section", tag("h2", titles[sid], cls="first" if i == 0 else None) + content, id=sid)
                    for i, (sid, content) in enumerate(sections)]
    main.append(tag("footer", "camaudit reads devices and never changes them; this report was built from the "
                              "camaudit database only and contains no passwords."))
    head = (Html('<meta charset="utf-8">') + Html(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
            + Html('<meta name="viewport" content="width=device-width, initial-scale=1">')
            + tag("title", f"{r.title}: run {s.run_id}") + tag("style", Html(STYLE)))
    page = tag("html", tag("head", head) + tag("body", join(body) + tag("main", join(main))), lang="en-GB")
    return str(Html("<!DOCTYPE html>\n") + page + "\n")
