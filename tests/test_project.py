"""The README, CI script and public API say what the code does."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import xfpush

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block, "README must open with a bash block of the two commands"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_first_block_has_demo_and_test_commands() -> None:
    demo, tests = readme_commands()
    assert "pip install \".[tts]\"" in demo and demo.endswith("xfpush demo")
    assert "pip install -e \".[test]\"" in tests and "pytest" in tests
    for command in (demo, tests):  # system Pythons (Debian, Ubuntu) refuse pip outside a venv
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && python -m pip")


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = readme_commands()
    assert tests in (ROOT / ".ci" / "run").read_text("utf-8")


PUBLIC_API = [
    "ChecksFailed",
    "GlyphError",
    "InputError",
    "Message",
    "MessageError",
    "PackResult",
    "Problem",
    "RenderError",
    "TextFitError",
    "XfpushError",
    "__version__",
    "build_pack",
    "check_message",
    "load_message",
    "message_from_dict",
    "render_assets",
    "verify_pack",
]


def test_public_api_is_pinned_and_sorted() -> None:
    # a name added to or dropped from the public API must be a deliberate change here too
    assert xfpush.__all__ == PUBLIC_API == sorted(PUBLIC_API)
    assert sorted(dir(xfpush)) == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(xfpush, name) is not None, name


def test_version_matches_pyproject() -> None:
    from importlib.metadata import version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["dynamic"] == ["version"]
    assert version("xfpush") == xfpush.__version__
    assert project["scripts"]["xfpush"] == "xfpush.cli:main"


def test_error_tree_docstring_names_every_error_class() -> None:
    from xfpush import errors

    classes = [name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, Exception)]
    for name in classes:
        assert name in (errors.__doc__ or ""), name
