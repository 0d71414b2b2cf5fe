"""The ``xfpush`` command group and the ways a command ends: JSON, or a Chinese error.

Command modules import only this module and ``click`` at import time; the library is imported
inside each command, so ``xfpush --help`` does not load Pillow, numpy or the channels.

Every way out of a command is a short Chinese line and an exit code, never a traceback: our
own errors print their message (``fail``); click's usage errors are said in Chinese; anything
unexpected meets one last-resort handler (exit 1) that asks for a report.
``XFPUSH_DEBUG=1`` lets unexpected errors through with their traceback, for developers.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from .._version import __version__
from ..errors import ChecksFailed, XfpushError, os_reason

CHANNELS_HELP = "渠道列表，逗号分隔，可写 渠道:规格，例如 poster:a3,poster:phone（默认全部）"
INTERRUPTED = 130


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


# click's own wording for a bad value → Chinese (the rest of its detail is kept as it is).
_VALUE_PATTERNS = (
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$"), "{0} 不存在"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"), "{0} 是文件夹，这里要的是文件"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"), "{0} 是文件，这里要的是文件夹"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.$"), "{0} 没有读取权限"),
    (re.compile(r"^'(.*)' is not a valid integer\.$"), "“{0}”不是整数"),
    (re.compile(r"^'(.*)' is not a valid float\.$"), "“{0}”不是数字"),
    (re.compile(r"^'(.*)' is not one of (.*)\.$"), "“{0}”应是 {1} 之一"),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), "{0} 超出范围 {1}"),
)


def _value_reason(message: str) -> str:
    for pattern, chinese in _VALUE_PATTERNS:
        found = pattern.match(message)
        if found:
            return chinese.format(*found.groups())
    return message


def usage_message(exc: click.ClickException) -> str:
    """A click usage error in Chinese, naming the option or argument."""
    if isinstance(exc, click.exceptions.NoSuchOption):
        guess = f"，是不是想用 {'、'.join(sorted(exc.possibilities))}" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{guess}"
    if isinstance(exc, click.exceptions.MissingParameter) and exc.param is not None:
        return f"缺少 {exc.param.get_error_hint(exc.ctx)}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        return f"{exc.param.get_error_hint(exc.ctx)} 的值不对：{_value_reason(exc.message)}"
    command = re.match(r"^No such command '(.*)'\.$", exc.message)
    if command:
        return f"没有命令“{command.group(1)}”"
    return _value_reason(exc.message)


def _usage_hint(exc: click.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "xfpush"
    return f"（用 {path} --help 查看用法）"


def last_resort(exc: BaseException) -> NoReturn:
    """An error nobody planned for: one Chinese line and exit 1, not a traceback."""
    if isinstance(exc, OSError) and exc.filename:
        click.echo(f"错误：{exc.filename} {os_reason(exc)}，无法继续", err=True)
        sys.exit(1)
    if isinstance(exc, ModuleNotFoundError) and exc.name:  # an install that is not complete
        click.echo(f"错误：缺少 Python 包 {exc.name}：xfpush 没有完整安装到当前环境。请在 xfpush 源码根目录"
                   "重新运行 python -m pip install \".[tts]\"（或 pip install \"xfpush[tts]\"）", err=True)
        sys.exit(1)
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    click.echo(f"错误：xfpush 内部出错（{type(exc).__name__}：{detail}）。这很可能是 xfpush 的缺陷："
               "请把所用命令和这一行报告给维护者（设 XFPUSH_DEBUG=1 可看到详细信息）", err=True)
    sys.exit(1)


_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click ≥ 8.2


class XfpushGroup(click.Group):
    """A click group whose every ending is a Chinese message and an exit code."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # bare ``xfpush``: the help, not an error line
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误：{usage_message(exc)}{_usage_hint(exc)}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("已中止", err=True)
            sys.exit(INTERRUPTED)
        except XfpushError as exc:
            fail(exc)
        except BrokenPipeError:  # e.g. ``xfpush channels | head``: the reader left
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if os.environ.get("XFPUSH_DEBUG"):
                raise
            last_resort(exc)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=XfpushGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xfpush")
def main() -> None:
    """xfpush：一条消防宣传信息，生成各渠道可用的宣传物料。"""
