"""The code's layering, checked on the source: blueprints share views and services, never routes."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = sorted(p.parent.name for p in (ROOT / "board").glob("*/routes.py"))


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _python_files(*folders: str):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


def test_no_module_imports_another_blueprints_routes():
    offenders = []
    for path in [*_python_files("board", "models"), ROOT / "app.py"]:
        package = path.relative_to(ROOT).parts[1] if path.parts[-2] != ROOT.name else None
        for name in _imports(path):
            match = re.fullmatch(r"board\.(\w+)\.routes(\..*)?", name)
            if match and match.group(1) != package and path.name != "app.py":
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert BLUEPRINTS and offenders == []


def test_services_use_neither_the_request_nor_templates_nor_views():
    offenders = []
    for path in _python_files("board/services"):
        for name in _imports(path):
            if name in ("flask.request", "flask.render_template", "flask.g") or name.startswith(
                    ("board.templating", "board.views", "board.htmx")) or re.match(r"board\.\w+\.routes", name):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_card_dom_id_is_made_in_one_place():
    made = [str(path.relative_to(ROOT)) for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/js/*.js"),
                                                     *_python_files("board")]
            if re.search(r"""replace\(\s*['"]\.['"]\s*,\s*['"]-['"]\s*\)""", path.read_text(encoding="utf-8"))]
    assert made == ["board/views/board.py"]


def test_event_kinds_are_never_bare_strings_in_the_code():
    pattern = re.compile(r"""kind\s*(==|!=|=)\s*["'](status|reorder|reason|due|note|note_edited|note_withdrawn|"""
                         r"""imported|plan_text|plan_due|plan_owners|impact)["']""")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in _python_files("board", "models")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []
