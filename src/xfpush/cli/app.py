"""The ``xfpush`` command group and the two ways a command ends: JSON, or a Chinese error.

Command modules import only this module and ``click`` at import time; the library is imported
inside each command, so ``xfpush --help`` does not load Pillow, numpy or the channels.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from .._version import __version__
from ..errors import ChecksFailed, XfpushError

CHANNELS_HELP = "渠道列表，逗号分隔，可写 渠道:规格，例如 poster:a3,poster:phone（默认全部）"


def emit_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(exc: XfpushError, as_json: bool = False) -> NoReturn:
    """End the command with the error's Chinese message and its exit code."""
    if as_json:
        payload: dict[str, Any] = {"ok": False, "error": str(exc)}
        if isinstance(exc, ChecksFailed):
            payload["problems"] = [problem.as_dict() for problem in exc.problems]
        emit_json(payload)
    else:
        click.echo(f"错误：{exc}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xfpush")
def main() -> None:
    """xfpush：一条消防宣传信息，生成各渠道可用的宣传物料。"""
