"""The HTML report's stylesheet, inlined into the page: screen and print (A4) in one file."""

STYLE = """
:root { --ink: #1b1f24; --muted: #5b6570; --line: #d5dae0; --bg: #f5f7f9; --accent: #1f4e79;
        --yes: #8b1a1a; --yes-bg: #fbe3e3; --no: #2f5d34; --no-bg: #e6f2e7; --unk: #6b5900; --unk-bg: #fff4cc; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
header.cover { background: var(--accent); color: #fff; padding: 28px; }
header.cover h1 { margin: 0 0 6px; font-size: 1.9rem; max-width: 1180px; margin-inline: auto; }
header.cover p.glance { margin-top: 8px; font-weight: 600; }
header.cover p { margin: 0; opacity: .92; max-width: 1180px; margin-inline: auto; }
h2 { font-size: 1.45rem; border-bottom: 2px solid var(--accent); padding-bottom: 4px; margin-top: 40px; }
h3 { font-size: 1.2rem; margin: 28px 0 8px; }
h4 { font-size: 1rem; margin: 20px 0 6px; color: var(--accent); }
p.note, .muted { color: var(--muted); }
nav.toc ol { columns: 2; margin: 0; padding-left: 20px; }
nav.toc { background: var(--bg); border: 1px solid var(--line); padding: 12px 16px; margin-top: 16px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
table.narrow { width: auto; min-width: 55%; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.ev, .evidence { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .78rem; color: #333;
                   overflow-wrap: anywhere; }
span.fid { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .75rem; color: var(--muted); }
table.matrix td:first-child { width: 13em; }
ul.evidence { margin: 4px 0; padding-left: 18px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 16px; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--accent); padding: 10px 12px; background: #fff; }
.card .figure { font-size: 1.6rem; font-weight: 700; }
.card .what { color: var(--muted); font-size: .85rem; }
.card.alert { border-left-color: var(--yes); }
.tri { font-weight: 600; text-align: center; white-space: nowrap; width: 6em; }
.tri.yes { color: var(--yes); background: var(--yes-bg); }
.tri.no { color: var(--no); background: var(--no-bg); }
.tri.unknown { color: var(--unk); background: var(--unk-bg); font-style: italic; }
.tri.plain.yes { color: var(--ink); background: #eef1f4; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: .78rem; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.sev-critical { color: #fff; background: #8b1a1a; border-color: #8b1a1a; }
.sev-high { color: #8b1a1a; }
.sev-medium { color: #7a5200; }
.sev-low { color: #1f4e79; }
.sev-info { color: var(--muted); }
.status-read { color: var(--no); }
.status-partly-read { color: var(--unk); }
.status-unreachable, .status-login-failed, .status-locked { color: var(--yes); }
.bio { color: var(--yes); font-weight: 600; }
tr.relevant td { background: var(--yes-bg); }
section.device { border-top: 1px solid var(--line); margin-top: 32px; }
.finding { border: 1px solid var(--line); padding: 8px 12px; margin: 8px 0; }
.finding p { margin: 4px 0; }
.finding .action { font-weight: 600; }
footer { color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); margin-top: 40px;
         padding-top: 10px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  html { font-size: 9.5pt; }
  header.cover { background: none; color: var(--ink); border-bottom: 3px solid var(--accent); padding: 0 0 8px; }
  main { max-width: none; padding: 0; }
  nav.toc ol { columns: 2; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2 { break-before: page; }
  h2.first { break-before: avoid; }
  h2, h3, h4 { break-after: avoid; }
  section.device { break-before: page; border: none; }
  tr, .finding, .card { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  a.external::after { content: " (" attr(href) ")"; font-size: .8em; color: var(--muted); }
}
"""
