"""A pack with failed assets holds all the others, says what failed and how to fix it, and the
partner commands refuse what cannot be delivered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import DEMO, TOO_LONG_HEADLINE
from xfpush import build_pack, load_message
from xfpush.pack.build import render_checked

LONG = TOO_LONG_HEADLINE  # too long for poster:phone
CHANNELS = "poster:phone,sms,led"  # poster:phone and sms fail, led passes


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                          text=True, cwd=cwd, check=False, stdin=subprocess.DEVNULL)


def long_title_message(folder: Path) -> Path:
    text = DEMO.read_text("utf-8")
    for key, line in LONG.items():
        text = text.replace(next(ln for ln in text.splitlines() if ln.startswith(f"{key}:")), line)
    path = folder / "long.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One pack of the long-title message, built by the real CLI in another process."""
    folder = tmp_path_factory.mktemp("honest")
    out = folder / "out"
    result = run("pack", str(long_title_message(folder)), "-o", str(out), "-c", CHANNELS)
    return out, result


@pytest.fixture
def honest_pack(built, tmp_path: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A private copy of the shared pack (tests sign it or package it)."""
    out, result = built
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    return copy, result


class _Red(HTMLParser):
    """The text of the element with id="failures" and its class."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.classes = ""
        self.order: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.order.append(str(found["id"]))
        if found.get("id") == "failures":
            self.depth, self.classes = 1, str(found.get("class"))
        elif self.depth:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def test_pack_writes_the_others_lists_failures_and_exits_1(honest_pack) -> None:
    out, result = honest_pack
    assert result.returncode == 1, result.stderr
    assert "poster:phone" in result.stderr and "删减" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    made = {(a["channel"], a["profile"]) for a in manifest["assets"]}
    assert ("led", "strip-128x16") in made
    assert not {("poster", "phone"), ("sms", "standard")} & made
    assert not (out / "poster").exists()
    failures = {(f["channel"], f["profile"], f["check"]): f for f in manifest["failures"]}
    assert set(failures) == {("poster", "phone", "text_fit"), ("sms", "standard", "segments")}
    poster = failures["poster", "phone", "text_fit"]
    assert set(poster) == {"channel", "profile", "check", "reason", "fix"}
    assert "标题" in poster["reason"] and "过长" in poster["reason"] and "50 字" in poster["reason"]
    assert "标题" in poster["fix"] and "删减约" in poster["fix"] and "字" in poster["fix"]
    assert "2 字" in failures["sms", "standard", "segments"]["fix"]  # 【某某区消防】+ 正文 + 拒收请回复R: 72 字
    assert run("verify", str(out)).returncode == 0


def test_proof_page_shows_the_failures_first_in_red(honest_pack) -> None:
    out, _ = honest_pack
    page = _Red()
    page.feed((out / "proof.html").read_text("utf-8"))
    text = "".join(page.text)
    assert "bad" in page.classes or "failures" in page.classes
    assert "poster:phone" in text and "文字排版" in text and "请把标题删减约" in text
    assert "sms:standard" in text and "短信条数" in text
    assert page.order.index("failures") < min(page.order.index(i) for i in page.order
                                              if i != "failures")


def test_strict_writes_nothing(write_message, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("pack", str(write_message(LONG)), "-o", str(out),
                 "-c", CHANNELS, "--strict")
    assert result.returncode == 1 and "poster:phone" in result.stderr
    assert not out.exists()


def test_json_output_lists_failures(write_message, tmp_path: Path) -> None:
    result = run("pack", str(write_message(LONG)), "-o", str(tmp_path / "o"),
                 "-c", CHANNELS, "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["ok"] is False
    assert {f["check"] for f in report["failures"]} == {"text_fit", "segments"}


@pytest.mark.slow
def test_library_returns_assets_and_problems(write_message, tmp_path: Path) -> None:
    message = load_message(write_message(LONG))
    rendered = render_checked(message, CHANNELS, workers=1)
    assert {a.channel for a in rendered.assets} == {"led"}
    assert [(p.channel, p.check) for p in rendered.problems] == [("poster", "text_fit"),
                                                                 ("sms", "segments")]
    result = build_pack(message, tmp_path / "lib", CHANNELS, workers=1)
    assert [f["profile"] for f in result.manifest["failures"]] == ["phone", "standard"]
    clean = build_pack(load_message(DEMO), tmp_path / "clean", "led", workers=1)
    assert "failures" not in clean.manifest


def test_approve_shows_failures_and_needs_confirmation(honest_pack) -> None:
    out, _ = honest_pack
    refused = run("approve", str(out), "--by", "王审核")
    assert refused.returncode == 2, refused.stderr
    assert "poster:phone" in refused.stderr and "--yes" in refused.stderr
    assert not (out / "approvals.json").exists()
    confirmed = run("approve", str(out), "--by", "王审核", "--yes")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "poster:phone" in confirmed.stderr
    assert json.loads((out / "approvals.json").read_text("utf-8"))[0]["by"] == "王审核"


@pytest.mark.slow
def test_package_and_deliver_refuse_an_adapter_whose_needs_failed(honest_pack,
                                                                  tmp_path: Path) -> None:
    out, _ = honest_pack
    refused = run("package", str(out), "--adapter", "carrier-sms", "-o", str(tmp_path / "p"))
    assert refused.returncode == 2
    assert "sms:standard" in refused.stderr and "未能生成" in refused.stderr
    assert not (tmp_path / "p").exists()
    made = run("package", str(out), "--adapter", "led-screen", "-o", str(tmp_path / "p"))
    assert made.returncode == 0, made.stderr
    sent = run("deliver", str(out), "--adapter", "carrier-sms", "--to",
               (tmp_path / "drop").as_uri(), "--ledger", str(tmp_path / "l.sqlite"),
               "--dry-run")
    assert sent.returncode == 2
    assert "sms:standard" in sent.stderr and "未能生成" in sent.stderr
