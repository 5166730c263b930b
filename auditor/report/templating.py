"""The report's Jinja2 environment: bundled templates, optionally overridden by an organisation's own.

Autoescape is on for every template and undefined names raise (StrictUndefined), so a device string
is always text and a typo in a template is an error, never an empty cell. `--template DIR` puts DIR
first: a file there with the same name as a bundled one (say `summary.html.j2`, or `style.css` for
the house colours) replaces it; everything else falls back to the bundled file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from models.errors import UsageError

BUNDLED = Path(__file__).with_name("templates")


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    """The environment for `template_dir` (None: the bundled templates only).

    Raises:
        UsageError: `template_dir` is not a readable folder.
    """
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        folder = Path(template_dir).expanduser()
        if not folder.is_dir():
            raise UsageError(f"The template folder {folder} does not exist or is not a folder; give --template "
                             f"a folder holding templates named as those in {BUNDLED}.")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(BUNDLED)))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render `name`; a broken template (an organisation's, most likely) is one readable line.

    Raises:
        UsageError: the template is missing, does not parse, or uses a name the report does not give it.
    """
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise UsageError(f"The report template {exc.filename or exc.name} is not valid Jinja2 at line {exc.lineno}: "
                         f"{exc.message}.") from None
    except jinja2.TemplateNotFound as exc:
        raise UsageError(f"The report template {exc.name} was not found in the template folder or the bundled "
                         "templates.") from None
    except jinja2.UndefinedError as exc:
        raise UsageError(f"A report template uses something the report does not provide: {exc.message}.") from None
