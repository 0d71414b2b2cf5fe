"""An explicit cache of rendered assets, owned and passed in by a caller that builds often.

There is no process-wide cache: ``build_pack`` renders everything unless it is given a
``RenderCache``. A one-shot command gains nothing from caching, and a hidden cache once served
espeak-ng audio to a build configured for another speech engine. A caller that builds the same
message repeatedly (a workbench, a benchmark) creates one and passes it to each build.

Even then a cached render is reused only when everything it was made from is unchanged: the
message and its user files (by content), the xfpush version, the bundled assets (fonts, layouts,
pictograms, by content), every ``XFPUSH_*`` setting in the environment (speech engine and
command, and the files that command names), the channel and its profile.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from .._version import __version__
from ..channels import Asset, Channel
from ..model.message import Message
from ..resources import asset_path
from .manifest import message_yaml

CacheKey = tuple[str, str, str, str]
"""(render inputs digest, channel name, profile name, profile settings)."""


class RenderCache:
    """Rendered assets by what they were rendered from; least recently used go first.

    Bounded by the total bytes of the assets it holds. Safe to share between the threads of one
    concurrent build.
    """

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[CacheKey, tuple[Asset, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> tuple[Asset, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return found

    def put(self, key: CacheKey, assets: Sequence[Asset]) -> None:
        with self._lock:
            previous = self._entries.pop(key, ())
            self._size -= _bytes(previous)
            self._entries[key] = tuple(assets)
            self._size += _bytes(assets)
            while self._size > self.max_bytes and len(self._entries) > 1:
                _, evicted = self._entries.popitem(last=False)
                self._size -= _bytes(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def _bytes(assets: Sequence[Asset]) -> int:
    return sum(len(asset.data) for asset in assets)


def cache_key(inputs: str, channel: Channel, profile: str) -> CacheKey:
    """The key of one profile's render; ``inputs`` from ``render_inputs``."""
    # Profiles are frozen dataclasses: their repr names every limit the render obeys.
    return (inputs, channel.name, profile, repr(channel.profiles[profile]))


def render_inputs(message: Message) -> str:
    """Digest of everything outside the channel code that a render of ``message`` reads."""
    digest = hashlib.sha256()
    for part in (__version__.encode(), message_yaml(message), _user_files(message),
                 _bundled_assets(), _settings()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _user_files(message: Message) -> bytes:
    digest = hashlib.sha256()
    for path in (message.logo, message.evacuation_map, message.fallback_font,
                 *message.recordings.values()):
        digest.update(b"-" if path is None else hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


_ASSET_DIGESTS: dict[tuple[tuple[str, int, int], ...], bytes] = {}


def _bundled_assets() -> bytes:
    """Content digest of the bundled assets, recomputed only when a file's size or time changes."""
    root = asset_path()
    files = sorted(path for path in root.rglob("*") if path.is_file())
    stamp = tuple((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns)
                  for path, stat in ((path, path.stat()) for path in files))
    if stamp not in _ASSET_DIGESTS:
        digest = hashlib.sha256()
        for path, (name, _, _) in zip(files, stamp, strict=True):
            digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        _ASSET_DIGESTS.clear()  # only the current state of the files matters
        _ASSET_DIGESTS[stamp] = digest.digest()
    return _ASSET_DIGESTS[stamp]


def _settings() -> bytes:
    """Every XFPUSH_* setting, and the size and time of each file the speech command names."""
    settings = sorted((name, value) for name, value in os.environ.items()
                      if name.startswith("XFPUSH_"))
    parts = [f"{name}={value}" for name, value in settings]
    for path in _command_files(os.environ.get("XFPUSH_TTS_COMMAND", "")):
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _command_files(command: str) -> list[Path]:
    """The program and model files a speech command line names (its script, its .onnx …)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    found: list[Path] = []
    for index, word in enumerate(words):
        located = shutil.which(word) if index == 0 else None
        path = Path(located or word)
        if path.is_file():
            found.append(path.resolve())
    return found
