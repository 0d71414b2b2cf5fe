"""Where the bundled data lives: inside the wheel (``xfpush/_data``) or in the source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``assets/``, ``adapters/`` and ``recipes/``."""
    installed = _PACKAGE_DIR / "_data"
    if (installed / "assets").is_dir():
        return installed
    source_tree = _PACKAGE_DIR.parents[1]
    if (source_tree / "assets").is_dir():
        return source_tree
    raise RuntimeError(f"找不到 xfpush 的资源文件夹（查找过 {installed} 和 {source_tree}）")


def asset_path(*parts: str) -> Path:
    """A file under ``assets/``."""
    return data_root().joinpath("assets", *parts)
