"""The floor for `apigen new`: the same files rendered with plain Jinja, nothing else.

Usage: python plain_jinja_floor.py TEMPLATE_ROOT DESTINATION ANSWERS_JSON

Imports jinja2 and the Ansible filters the template uses (no copier, no apigen, no Jinja
cache, no sandbox), renders every path name and
every `.jinja` file of the template with the answers given (bench_generate.py passes the
defaults of apigen/options.py), copies the other files,
and writes them; no answers file, no git, no key. bench_generate.py times it beside
`apigen new --yes`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jinja2 import Environment


def main() -> None:
    root, destination = Path(sys.argv[1]) / "templates", Path(sys.argv[2])
    answers = {**json.loads(sys.argv[3]), "_copier_conf": {"answers_file": ".copier-answers.yml"}}
    env = Environment(  # noqa: S701 (not HTML)
        keep_trailing_newline=True,
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
    )
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        raw = path.relative_to(root).parts
        templated = raw[-1].endswith(".jinja")
        raw = (*raw[:-1], raw[-1].removesuffix(".jinja"))
        parts = [env.from_string(part).render(answers) for part in raw]
        if not all(parts) or parts[-1] == ".copier-answers.yml":
            continue
        target = destination.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if templated:
            target.write_text(env.from_string(path.read_text()).render(answers))
        else:
            target.write_bytes(path.read_bytes())


if __name__ == "__main__":
    main()
