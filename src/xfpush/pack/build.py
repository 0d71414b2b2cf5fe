"""Packs: render the selected channels, write files + manifest.json + proof.html, verify.

A pack is built in a hidden sibling folder and renamed into place when it is complete, so a run
never leaves a half-written pack behind. Profiles that fail their checks are left out and listed
under ``failures`` in the manifest (``strict``: nothing is written).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, TypeVar

from .._version import __version__
from ..channels import Asset, Channel, select
from ..channels.checks import run_checks
from ..errors import (
    ChecksFailed,
    DependencyError,
    PackLocationError,
    Problem,
    RenderError,
    TextFitError,
    os_reason,
)
from ..model.message import Message
from ..typeset.fonts import FontSet, check_glyphs, font_set
from .cache import RenderCache, cache_key, render_inputs
from .labels import failure_entry
from .manifest import (
    MANIFEST,
    MESSAGE_FILE,
    PROOF,
    asset_entry,
    message_yaml,
    safe_relative,
    sha256,
)
from .proof import proof_html

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PackResult:
    """A pack written to disk."""

    path: Path
    manifest: dict[str, Any]


def prepare_fonts(message: Message) -> FontSet:
    """The fonts for this message, after checking every character of it has a glyph."""
    fonts = font_set(message.fallback_font)
    check_glyphs(message.text_fields(), fonts, file=message.source, lines=dict(message.lines))
    return fonts


def check_message(message: Message, channels: str | None = None, *,
                  skipped: list[dict[str, str]] | None = None) -> list[Problem]:
    """Every problem the checks find in what the selected channels describe, without drawing,
    encoding or writing files.

    A profile whose optional engine is missing: an error if chosen with ``channels``; else
    listed in ``skipped`` when given, or reported as a ``tts`` problem.
    """
    fonts = prepare_fonts(message)
    problems: list[Problem] = []
    for channel, profile in select(channels):
        try:
            described = channel.describe(message, profile, fonts)
        except TextFitError as exc:
            problems.append(Problem(channel.name, profile, "text_fit", str(exc)))
            continue
        except RenderError as exc:
            raise exc.at(channel.name, profile) from exc
        except DependencyError as exc:
            if channels:
                raise
            if skipped is None:
                problems.append(Problem(channel.name, profile, "tts", str(exc)))
            else:
                skipped.append(skip_entry(channel.name, profile, exc))
            continue
        for asset in described:
            problems += run_checks(asset).problems()
    return list(dict.fromkeys(problems))


@dataclass(frozen=True)
class Rendered:
    """What rendering the selected profiles gave: the assets of every profile that passed all
    its checks, and every problem of the others (in selection order, no repeats)."""

    assets: list[Asset]
    problems: list[Problem]


def render_checked(message: Message, channels: str | None = None, *,
                   cache: RenderCache | None = None, workers: int | None = None,
                   skipped: list[dict[str, str]] | None = None) -> Rendered:
    """Render every selected profile; keep the assets of those that passed every check.

    Profiles render concurrently on up to ``workers`` threads (default: one per usable CPU):
    the heavy work happens in ffmpeg and speech subprocesses, Pillow and numpy, which release
    the GIL. Assets come back in selection order, whatever order they finish in, so the
    manifest does not change.
    ``cache`` reuses renders of an earlier build in this process; by default nothing is reused.
    With ``skipped`` and no explicit ``channels``, a profile whose optional engine is missing
    is listed there instead of failing the pack (an explicitly chosen one still fails).
    A profile with a failed check gives problems and no assets: none of its files is usable.
    """
    fonts = prepare_fonts(message)
    may_skip = skipped is not None and not channels
    inputs = render_inputs(message) if cache is not None else ""

    def render(item: tuple[Channel, str]) -> tuple[Asset, ...] | Problem | Skip:
        channel, profile = item
        return _render_profile(message, fonts, channel, profile, cache, inputs, may_skip)

    assets: list[Asset] = []
    problems: list[Problem] = []
    chosen = select(channels)
    for outcome in map_in_order(render, chosen, workers, weights=[weight(c, p) for c, p in chosen]):
        if isinstance(outcome, Problem):
            problems.append(outcome)
            continue
        if isinstance(outcome, Skip):
            if skipped is not None:
                skipped.append(outcome.entry)
            continue
        failed = [problem for asset in outcome for problem in asset.problems()]
        problems += failed
        if not failed:
            assets += outcome
    return Rendered(assets, list(dict.fromkeys(problems)))


def render_assets(message: Message, channels: str | None = None, *,
                  cache: RenderCache | None = None, workers: int | None = None,
                  skipped: list[dict[str, str]] | None = None) -> list[Asset]:
    """Every selected profile's checked assets (see ``render_checked``); raise ChecksFailed
    listing every failure when any profile failed."""
    rendered = render_checked(message, channels, cache=cache, workers=workers, skipped=skipped)
    if rendered.problems:
        raise ChecksFailed(rendered.problems)
    return rendered.assets


@dataclass(frozen=True)
class Skip:
    """A profile left out because an optional engine is missing (as the manifest records it)."""

    entry: dict[str, str]


def skip_entry(channel: str, profile: str, exc: DependencyError) -> dict[str, str]:
    """How manifest.json records a profile left out for a missing optional engine."""
    return {"channel": channel, "profile": profile, "reason": exc.reason, "fix": exc.fix}


def _render_profile(message: Message, fonts: FontSet, channel: Channel, profile: str,
                    cache: RenderCache | None, inputs: str,
                    may_skip: bool) -> tuple[Asset, ...] | Problem | Skip:
    """One profile's checked assets (from ``cache`` when it holds them), or why not."""
    if cache is None:
        return _render_now(message, fonts, channel, profile, may_skip)
    key = cache_key(inputs, channel, profile)
    cached = cache.get(key)
    if cached is not None:
        return cached
    outcome = _render_now(message, fonts, channel, profile, may_skip)
    if isinstance(outcome, tuple):
        cache.put(key, outcome)
    return outcome


def _render_now(message: Message, fonts: FontSet, channel: Channel, profile: str,
                may_skip: bool) -> tuple[Asset, ...] | Problem | Skip:
    try:
        return tuple(run_checks(a) for a in channel.render(message, profile, fonts))
    except TextFitError as exc:
        return Problem(channel.name, profile, "text_fit", str(exc))
    except RenderError as exc:
        raise exc.at(channel.name, profile) from exc
    except DependencyError as exc:
        if not may_skip:
            raise
        return Skip(skip_entry(channel.name, profile, exc))


def weight(channel: Channel, profile: str) -> float:
    """How long one profile takes to render, relative to a still image (1): a profile may say
    so with a ``render_weight`` attribute (videos and spots do)."""
    return float(getattr(channel.profiles[profile], "render_weight", 1.0))


def map_in_order(function: Callable[[T], R], items: Sequence[T], workers: int | None,
                 weights: Sequence[float] | None = None) -> list[R]:
    """``[function(item) for item in items]`` on up to ``workers`` threads (None: one per CPU).

    Threads rather than processes: renders share the loaded fonts and templates, their heavy
    parts run outside the GIL, and assets need no pickling back. The heaviest items (by
    ``weights``) start first, so no long render is left running alone at the end while the
    other threads idle (longest-processing-time-first scheduling).

    Results keep the order of ``items``. When calls raise, the exception of the first failing
    item is raised (the one a sequential run would raise) once the calls under way have
    finished; calls not yet started are cancelled.
    """
    count = min(len(items), workers or usable_cpus())
    if count <= 1:
        return [function(item) for item in items]
    starts = sorted(range(len(items)), key=lambda i: -weights[i] if weights else 0.0)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="xfpush-render")
    try:
        futures = {index: pool.submit(function, items[index]) for index in starts}
        return [futures[index].result() for index in range(len(items))]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def usable_cpus() -> int:
    """The CPUs this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build_pack(message: Message, out_dir: str | Path, channels: str | None = None, *,
               cache: RenderCache | None = None, workers: int | None = None,
               strict: bool = False) -> PackResult:
    """Render, check and write a pack to ``out_dir`` (replacing an older pack there).

    A profile that fails (text that does not fit, a failed check) leaves its files out; the
    pack holds all the others and its manifest lists each failure under ``failures`` with a
    Chinese reason and fix. ``strict`` writes nothing then and raises ChecksFailed instead.
    Input errors always raise before anything is written.
    ``workers`` bounds the rendering threads (default: one per CPU; 1 renders one profile at a
    time); ``cache`` is an explicit ``RenderCache`` to reuse renders from (default: none).
    """
    target = Path(out_dir).resolve()
    _ensure_replaceable(target)
    skipped: list[dict[str, str]] = []
    rendered = render_checked(message, channels, cache=cache, workers=workers, skipped=skipped)
    if strict and rendered.problems:
        raise ChecksFailed(rendered.problems)
    assets = rendered.assets
    message_bytes = message_yaml(message)
    manifest: dict[str, Any] = {
        "xfpush_version": __version__,
        "message": {"id": message.id, "sha256": sha256(message_bytes), "path": MESSAGE_FILE},
        "assets": [asset_entry(a) for a in assets],
    }
    if rendered.problems:  # profiles that could not be made: why, and what to change
        manifest["failures"] = [failure_entry(p) for p in rendered.problems]
    if skipped:  # channels left out because an optional engine is missing, and how to add it
        manifest["skipped"] = skipped
    proof = proof_html(message, manifest).encode("utf-8")
    manifest["proof"] = {"path": PROOF, "sha256": sha256(proof)}
    files = {MESSAGE_FILE: message_bytes, PROOF: proof}
    files.update({a.path: a.data for a in assets})
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    _write_atomically(target, files)
    return PackResult(target, manifest)


def _ensure_replaceable(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise PackLocationError(f"输出位置 {target} 是一个文件，不是文件夹")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise PackLocationError(f"输出文件夹 {target} 已有其他内容且不是物料包，为免覆盖请换一个文件夹")


def remove_stale_staging(folder: Path, name: str = "*") -> list[Path]:
    """Remove ``.NAME.tmp-PID-*`` and ``.NAME.old-PID-*`` folders in ``folder`` left by a pack
    whose process no longer runs (killed mid-write); a running pack's folders are kept.
    Returns what was removed."""
    removed = []
    for kind in ("tmp", "old"):
        for stale in folder.glob(f".{name}.{kind}-*"):
            owner = stale.name.rpartition(f".{kind}-")[2].split("-")[0]
            if stale.is_dir() and not stale.is_symlink() and not _running(owner):
                shutil.rmtree(stale, ignore_errors=True)
                removed.append(stale)
    return removed


def _running(pid_text: str) -> bool:
    """Whether the pack that named a staging folder (by its process id) may still be running."""
    if not pid_text.isdigit():
        return False  # a name without a process id: left by an older xfpush
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would not test, it would signal: assume running
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _write_atomically(target: Path, files: dict[str, bytes]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(target.parent, glob_escape(target.name))
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-",
                                        dir=target.parent))
    except OSError as exc:
        found = next((p for p in (target.parent, *target.parent.parents) if p.exists()), None)
        reason = f"{found} 是一个文件，不是文件夹" if found and found.is_file() else os_reason(exc)
        raise PackLocationError(f"无法在 {target.parent} 中写入物料包：{reason}。"
                                "请用 -o 换一个可写的文件夹") from exc
    try:
        for name, data in files.items():
            path = staging / safe_relative(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o755)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    """Put the finished staging folder at ``target``, moving an older pack out of the way.

    Renaming a folder needs write permission on it (its ``..`` changes), so a read-only older
    pack cannot be replaced: that is an input error, and the older pack stays where it was.
    """
    if not target.exists():
        _rename(staging, target, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-",
                                    dir=target.parent))
    try:
        _rename(target, retired / "pack", target)
        try:
            _rename(staging, target, target)
        except BaseException:
            os.replace(retired / "pack", target)  # put the older pack back
            raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def _rename(source: Path, target: Path, shown: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        raise PackLocationError(f"无法替换 {shown} 中的物料包：{os_reason(exc)}。请用 -o 换一个可写的"
                                "文件夹，或先改好这个文件夹的权限") from exc


