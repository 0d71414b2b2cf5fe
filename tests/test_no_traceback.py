"""Hostile and mistaken command lines: each ends in a short Chinese message, never a traceback.

Every case runs the real ``xfpush`` in a subprocess and checks the exit code (2: the input
cannot be used; 1: a check or an encoder failed), the Chinese words a user needs, and that no
Python traceback or English OS message reaches the terminal. These are everyday mistakes;
hostile inputs (bombs, devices, broken ledgers, unwritable outputs …) live in ``hostile/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from xfpush.resources import asset_path, data_root

DEMO = asset_path("examples", "demo.yaml")
RECIPES = data_root() / "recipes"
GOOD = "id: a\ntitle: 标题\nslogan: 口号\n"


def xfpush(*args: object, cwd: Path, env: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    """The real command line, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "xfpush", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**os.environ, "XFPUSH_DEBUG": "", **(env or {})})


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int,
                         expected: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output and "Errno" not in output, output
    assert "错误" in output or "失败" in output, output
    for part in expected:
        assert part in output, (part, output)


def _message(text: str, **files: bytes) -> Callable[[Path], list[object]]:
    def setup(tmp: Path) -> list[object]:
        (tmp / "m.yaml").write_text(text, "utf-8")
        for name, data in files.items():
            (tmp / name.replace("_", ".")).write_bytes(data)
        return ["check", "m.yaml", "-c", "sms"]
    return setup


def _demo_with(old: str, new: str) -> Callable[[Path], list[object]]:
    return _message(DEMO.read_text("utf-8").replace(old, new))


def _file(name: str, data: bytes, *args: object) -> Callable[[Path], list[object]]:
    def setup(tmp: Path) -> list[object]:
        (tmp / name).write_bytes(data)
        return list(args)
    return setup


def _args(*args: object) -> Callable[[Path], list[object]]:
    return lambda tmp: list(args)


def _folder_with_manifest(text: str) -> Callable[[Path], list[object]]:
    def setup(tmp: Path) -> list[object]:
        (tmp / "pack").mkdir()
        (tmp / "pack" / "manifest.json").write_text(text, "utf-8")
        return ["verify", "pack"]
    return setup


def _recipe(text: str, *extra: object) -> Callable[[Path], list[object]]:
    def setup(tmp: Path) -> list[object]:
        (tmp / "r.yaml").write_text(text, "utf-8")
        return ["batch", "r.yaml", "--districts", RECIPES / "districts.example.csv", "-o", "out",
                *extra]
    return setup


START = "start: 2027-11-01"
CASES: dict[str, tuple[Callable[[Path], list[object]], int, list[str]]] = {
    "date-month-13": (_demo_with(START, "start: 2027-13-01"), 2,
                      ["m.yaml:27", "campaign.start", "2027-13-01", "YYYY-MM-DD"]),
    "date-feb-30": (_demo_with(START, "start: 2027-02-30"), 2, ["campaign.start", "只有 28 天"]),
    "date-number": (_demo_with(START, "start: 20271101"), 2, ["campaign.start", "数字 20271101"]),
    "date-list": (_demo_with(START, "start: [2027, 11]"), 2, ["campaign.start", "列表"]),
    "title-list": (_message("id: a\ntitle: [a, b]\nslogan: s\n"), 2, ["m.yaml:2", "字段 title"]),
    "tips-not-list": (_message(GOOD + "tips: {a: 1}\n"), 2, ["字段 tips"]),
    "hotline-list": (_message(GOOD + "hotlines: [119]\n"), 2, ["字段 hotlines"]),
    "variant-unknown": (_message(GOOD + "variants:\n  sns: x\n"), 2, ["variants.sns", "sms"]),
    "key-not-text": (_message(GOOD + "null: x\n"), 2, ["不认识的字段"]),
    "yaml-broken": (_message('id: a\ntitle: "t\n'), 2, ["YAML 格式错误"]),
    "message-missing": (_args("check", "nope.yaml"), 2, ["nope.yaml", "不存在"]),
    "message-not-utf8": (_file("m.yaml", b"id: \xff\xfe\n", "check", "m.yaml"), 2, ["UTF-8"]),
    "message-wrong-suffix": (_file("m.txt", GOOD.encode(), "check", "m.txt"), 2, [".txt"]),
    "logo-missing": (_message(GOOD + "logo: nope.png\n"), 2, ["字段 logo", "nope.png"]),
    "logo-not-image": (_message(GOOD + "logo: logo.png\n", logo_png=b"not an image"), 2,
                       ["字段 logo", "不是可用的图片"]),
    "font-not-a-font": (_message(GOOD + "fonts: {fallback: f.ttf}\n", f_ttf=b"not a font"), 2,
                        ["字体文件无法读取", "f.ttf"]),
    "font-missing": (_message(GOOD + "fonts: {fallback: nope.ttf}\n"), 2, ["fonts.fallback"]),
    "verify-missing-folder": (_args("verify", "nope"), 2, ["nope 不存在", "manifest.json"]),
    "verify-a-file": (_file("f", b"x", "verify", "f"), 2, ["不是物料包文件夹"]),
    "verify-empty-folder": (lambda tmp: [(tmp / "e").mkdir(), "verify", "e"][1:], 1,
                            ["缺少 manifest.json"]),
    "verify-manifest-not-json": (_folder_with_manifest("{"), 1, ["manifest.json 已损坏"]),
    "verify-manifest-wrong-shape": (_folder_with_manifest('{"assets": 5}'), 1, ["结构不对"]),
    "verify-manifest-list": (_folder_with_manifest("[]"), 1, ["结构不对"]),
    "init-into-missing-folder": (_args("init", "nope/m.yaml"), 2, ["nope/m.yaml", "不存在"]),
    "unknown-command": (_args("pakc"), 2, ["没有命令“pakc”", "--help"]),
    "unknown-option": (_args("verify", "--fast", "x"), 2, ["没有选项 --fast"]),
    "missing-argument": (_args("check"), 2, ["缺少", "MESSAGE_FILE"]),
    "not-an-integer": (_args("calendar", "明年"), 2, ["不是整数"]),
    "approve-not-a-pack": (lambda tmp: [(tmp / "e").mkdir(), "approve", "e", "--by", "王"][1:],
                           2, ["e 不是物料包", "manifest.json"]),
    "deliver-not-a-pack": (lambda tmp: [(tmp / "e").mkdir(), "deliver", "e", "--adapter", "radio",
                                        "--to", "file:///tmp/x", "--waive-approval"][1:], 2,
                           ["e 不是物料包"]),
    "adapters-dir-missing": (_args("adapters", "--adapters-dir", "nope"), 2,
                             ["--adapters-dir", "nope 不存在"]),
    "report-unwritable": (_file("l.db", b"", "report", "--ledger", "l.db", "-o", "nope/r.md"), 2,
                          ["无法写入 nope/r.md", "不存在"]),
    "receive-bad-port": (_args("receive", "--port", "99999", "--dir", "in"), 2,
                         ["--port", "99999 超出范围"]),
    "recipe-missing": (_args("batch", "nope.yaml", "-o", "out"), 2, ["nope.yaml", "不存在"]),
    "recipe-bad-lead-days": (_recipe("occasion: chongyang\nlead_days: 十天\nmessage: {id: a}\n"),
                             2, ["lead_days", "整数"]),
    "recipe-message-file-missing": (_recipe("occasion: chongyang\nmessage_file: nope.yaml\n"), 2,
                                    ["message_file", "nope.yaml", "不存在"]),
    "recipe-occasion-list": (_recipe("occasion: [chongyang]\nmessage: {id: a}\n"), 2,
                             ["occasion 应为"]),
    "recipe-bad-date": (_recipe("occasion: chongyang\ndefaults: {qr_url: 'https://a.cn'}\nmessage:"
                                " {id: a, title: t, slogan: s, campaign: {name: n, start: 2027-13-01}}"
                                "\n"), 1, ["第 2 行：字段 campaign.start", "2027-13-01", "YYYY-MM-DD"]),
    "batch-year-out-of-range": (_recipe(
        (RECIPES / "chongyang.yaml").read_text("utf-8"), "--year", "3000"), 2, ["1901–2099"]),
    "batch-no-workers": (_recipe((RECIPES / "chongyang.yaml").read_text("utf-8"), "-j", "0"), 2,
                         ["-j 应为 1 或更大"]),
    "batch-output-is-a-file": (lambda tmp: [(tmp / "out").write_text("x"), *_recipe(
        (RECIPES / "chongyang.yaml").read_text("utf-8"))(tmp)][1:], 2, ["是一个文件"]),
}


# batch cases load every channel in the child process: kept out of the fast suite
SLOW = {case for case in CASES if case.startswith(("recipe-", "batch-"))}


@pytest.mark.parametrize("case", [pytest.param(case, marks=[pytest.mark.slow] * (case in SLOW))
                                  for case in sorted(CASES)])
def test_mistake_ends_in_a_chinese_message(case: str, tmp_path: Path) -> None:
    setup, code, expected = CASES[case]
    assert_clean_failure(xfpush(*setup(tmp_path), cwd=tmp_path), code, expected)


def test_verify_json_reports_a_missing_folder(tmp_path: Path) -> None:
    result = xfpush("verify", "nope", "--json", cwd=tmp_path)
    payload = json.loads(result.stdout)
    assert result.returncode == 2 and payload["ok"] is False and "nope 不存在" in payload["error"]


def test_bare_command_shows_the_help(tmp_path: Path) -> None:
    result = xfpush(cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Usage:" in output and "生成物料包" in output
    assert "Traceback" not in output and "错误" not in output


# The handler of last resort is exercised by breaking one library function inside the child
# process (there is, on purpose, no known input that reaches it).
BROKEN = ("import xfpush.pack.manifest as manifest\n"
          "manifest.verify_pack = lambda folder: {}['boom']\n"
          "from xfpush.cli import main\n"
          "main(['verify', '.'])\n")


def test_an_unexpected_error_is_one_chinese_line_asking_for_a_report(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", BROKEN], cwd=tmp_path, capture_output=True,
                            text=True, encoding="utf-8", env={**os.environ, "XFPUSH_DEBUG": ""})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "内部出错（KeyError：'boom'）" in result.stderr and "报告" in result.stderr
    debug = subprocess.run([sys.executable, "-c", BROKEN], cwd=tmp_path, capture_output=True,
                           text=True, encoding="utf-8", env={**os.environ, "XFPUSH_DEBUG": "1"})
    assert "Traceback" in debug.stderr and "KeyError" in debug.stderr


def test_an_incomplete_install_says_to_reinstall(tmp_path: Path) -> None:
    """A dependency missing from the environment (e.g. added since the last install)."""
    code = ("import sys\nsys.modules['zxingcpp'] = None\nfrom xfpush.cli import main\n"
            f"main(['pack', {str(DEMO)!r}, '-o', 'out', '-c', 'poster:phone'])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, encoding="utf-8", env={**os.environ, "XFPUSH_DEBUG": ""})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "缺少 Python 包 zxingcpp" in result.stderr and "pip install" in result.stderr


# Windows has none of these; importing them at module level would stop ``xfpush`` starting.
UNIX_ONLY = ("resource", "fcntl", "pwd", "grp", "termios")
IMPORT_ALL = (f"import sys\nfor name in {UNIX_ONLY!r}:\n    sys.modules[name] = None\n"
              "import importlib, pkgutil, xfpush\n"
              "for info in pkgutil.walk_packages(xfpush.__path__, 'xfpush.'):\n"
              "    if not info.name.endswith('__main__'):\n"
              "        importlib.import_module(info.name)\n"
              "from xfpush.campaigns.batch import peak_rss_mb\n"
              "print('peak', peak_rss_mb())\n")


def test_every_module_imports_without_unix_only_modules(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=tmp_path, capture_output=True,
                            text=True, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "peak 0.0"
