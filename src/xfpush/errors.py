"""The one error tree of xfpush.

Every error a person can see carries a Chinese message that says what to change. Library
errors (YAML, Pillow, OS) are translated into this tree once, where they enter xfpush.

    XfpushError                      base; ``exit_code`` is what the CLI returns
    ├── InputError          (2)      the input cannot be used as it is
    │   ├── MessageError             a message file field: names file, line and field
    │   │   └── GlyphError           a character no bundled or fallback font can draw
    │   ├── TextFitError             text that cannot fit a box even at the minimum size
    │   ├── ChannelSelectionError    an unknown channel or profile in ``-c``
    │   ├── PackLocationError        the output folder cannot take a pack or a partner package
    │   ├── DependencyError          an optional engine (speech synthesis) is missing or not set up
    │   ├── AdapterError             an adapter spec is wrong, unknown or cannot package a pack
    │   ├── PluginError              an installed plugin (channel, transport, adapters) is wrong
    │   └── ApprovalError            a pack is not approved, or changed since it was approved
    ├── RenderError         (1)      an encoder (ffmpeg, speech engine, Pillow) failed on good input
    ├── DeliveryError       (1)      some deliveries failed or are unknown (see the ledger)
    └── ChecksFailed        (1)      rendering worked but an asset failed its checks
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass

_OS_REASONS = {
    errno.ENOENT: "不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.EISDIR: "是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘已满", errno.EROFS: "位于只读的磁盘上", errno.EEXIST: "已存在",
    errno.ENOTEMPTY: "文件夹不是空的", errno.ENAMETOOLONG: "路径过长",
    errno.ELOOP: "符号链接绕成了环",
}


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an operating-system error (not the English strerror)."""
    return _OS_REASONS.get(exc.errno or 0, f"系统错误：{exc.strerror or exc}")


class XfpushError(Exception):
    """Base of every error xfpush raises on purpose."""

    exit_code = 2


class InputError(XfpushError):
    """The input (a file, a field, an option) cannot be used as it is."""

    exit_code = 2


class MessageError(InputError):
    """A problem in a message file, located by file, line and field."""

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + "："
        field = f"字段 {self.field}：" if self.field else ""
        return f"{where}{field}{self.reason}"


class GlyphError(MessageError):
    """A character that no bundled font (nor the message's fallback font) contains."""


class TextFitError(InputError):
    """Text that does not fit its box, even at the smallest allowed size."""

    def __init__(self, reason: str, *, cut_chars: int = 0) -> None:
        self.cut_chars = cut_chars
        super().__init__(reason)


class ChannelSelectionError(InputError):
    """An unknown channel or profile was asked for."""


class PackLocationError(InputError):
    """The output folder cannot take a pack (or a partner package) without harming what is there."""


class AdapterError(InputError):
    """An adapter spec is wrong, unknown, or cannot package the pack it was given."""


class PluginError(InputError):
    """An installed plugin cannot be loaded, is not what its entry-point group needs, or
    takes a name that is already taken; the message names the plugin and its entry point."""


class ApprovalError(InputError):
    """The pack has no sign-off bound to its current manifest."""


class RenderError(XfpushError):
    """An encoder (ffmpeg, the speech engine, Pillow) failed on input that passed validation.

    Names the channel and profile and the tool's own last words, translated once where the tool
    is called; the pack builder adds the channel and profile (``at``).
    """

    exit_code = 1

    def __init__(self, reason: str, *, tool: str = "", said: str = "",
                 channel: str | None = None, profile: str | None = None) -> None:
        self.reason, self.tool, self.said = reason, tool, said
        self.channel, self.profile = channel, profile
        where = f"[{channel}:{profile}] " if channel else ""
        words = f"（{tool} 最后的输出：{said}）" if said else ""
        super().__init__(f"{where}{reason}{words}")

    def at(self, channel: str, profile: str) -> RenderError:
        """The same failure, located at a channel profile (kept if already located)."""
        if self.channel is not None:
            return self
        return RenderError(self.reason, tool=self.tool, said=self.said, channel=channel,
                           profile=profile)


def last_line(output: bytes | str) -> str:
    """The last non-empty line a tool wrote (its error, usually), at most 200 characters."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


class DeliveryError(XfpushError):
    """Some deliveries did not end acknowledged."""

    exit_code = 1


class DependencyError(InputError):
    """An optional engine (speech synthesis) is not installed or not set up; ``fix`` says how."""

    def __init__(self, reason: str, *, fix: str = "") -> None:
        self.reason, self.fix = reason, fix
        super().__init__(f"{reason}。启用方法：{fix}" if fix else reason)


@dataclass(frozen=True)
class Problem:
    """One failed check: where it happened and why, in Chinese."""

    channel: str
    profile: str
    check: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.channel}:{self.profile}] {self.check}：{self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "profile": self.profile, "check": self.check,
                "reason": self.reason}


class ChecksFailed(XfpushError):
    """One or more assets failed their checks; nothing was written."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} 项检查未通过，未生成物料包：\n{lines}")
