from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO, RARE, STILL_CHANNELS, TOO_LONG_HEADLINE, pack_files
from xfpush import load_message, verify_pack
from xfpush.cli import main

MANIFEST_KEYS = {"channel", "profile", "path", "media_type", "sha256", "bytes", "width_px",
                 "height_px", "width_mm", "height_mm", "dpi", "duration_s", "text", "qr_url",
                 "checks"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xfpush", *args], capture_output=True,
                          text=True, cwd=cwd, check=False)


@pytest.mark.slow
def test_demo_pack_layout_and_manifest(demo_pack: Path) -> None:
    manifest = json.loads((demo_pack / "manifest.json").read_text("utf-8"))
    assert manifest["xfpush_version"] == "0.1.0"
    assert manifest["message"]["id"] == "ebike-2027"
    paths = {a["path"] for a in manifest["assets"]}
    assert {"poster/a4.pdf", "poster/a4.png", "poster/a3.pdf", "poster/a3.png",
            "poster/phone.png"} <= paths
    for asset in manifest["assets"]:
        assert set(asset) >= MANIFEST_KEYS
        assert (demo_pack / asset["path"]).stat().st_size == asset["bytes"]
        assert all(check["ok"] for check in asset["checks"])
    a3 = next(a for a in manifest["assets"] if a["path"] == "poster/a3.pdf")
    assert (a3["width_mm"], a3["height_mm"], a3["dpi"]) == (303.0, 426.0, 300)
    proof = (demo_pack / "proof.html").read_text("utf-8")
    for path in paths:
        assert path in proof
    assert "审核人" in proof and "二维码可识别" in proof
    assert load_message(demo_pack / "message.yaml").title == "电动车不进楼 充电安全记心间"
    assert CliRunner().invoke(main, ["check", str(DEMO)]).exit_code == 0


def test_verify_catches_a_changed_byte(still_pack: Path, tmp_path: Path) -> None:
    assert verify_pack(still_pack) == []
    assert CliRunner().invoke(main, ["verify", str(still_pack)]).exit_code == 0
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(still_pack), str(copy)], check=True)
    target = copy / "poster" / "phone.png"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["verify", str(copy)])
    assert result.exit_code == 1 and "poster/phone.png" in result.output
    (copy / "poster" / "a4.png").unlink()
    (copy / "extra.txt").write_text("x")
    problems = verify_pack(copy)
    assert any("缺少文件：poster/a4.png" in p for p in problems)
    assert any("清单之外的文件：extra.txt" in p for p in problems)


@pytest.mark.slow
def test_another_process_writes_the_same_bytes(still_pack: Path, tmp_path: Path) -> None:
    """No cache anywhere: a fresh process renders everything again, to the same bytes."""
    again = tmp_path / "again"
    result = run("pack", str(DEMO), "-o", str(again), "-c", STILL_CHANNELS)
    assert result.returncode == 0, result.stderr
    first, second = pack_files(still_pack), pack_files(again)
    assert sorted(first) == sorted(second) and len(first) > 40
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.slow
def test_every_channel_is_byte_identical_in_another_process(demo_pack: Path,
                                                            tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run("demo", "-o", str(again))
    assert result.returncode == 0, result.stderr
    first, second = pack_files(demo_pack), pack_files(again)
    assert sorted(first) == sorted(second)
    assert {"video/vertical.mp4", "audio/unlock.wav", "radio/spot-30s.mp3"} <= set(first)
    assert [name for name in first if first[name] != second[name]] == []


@pytest.mark.parametrize(("change", "code", "expected"), [
    ({"slogan": f"slogan: 电动车不进{RARE}楼"}, 2, ["U+20000", "字段 slogan"]),
    (TOO_LONG_HEADLINE, 1, ["poster:", "标题（title）过长", "请删减约"]),
    ({"title": "title: " + "火" * 200}, 2, ["字段 title", "上限 64 字"]),
])
def test_bad_input_exits_nonzero_and_leaves_nothing(write_message, tmp_path, change, code,
                                                    expected) -> None:
    message_file = write_message(change)
    out = tmp_path / "out"
    # the poster fails (or the input does) while SMS renders: with --strict (or for bad
    # input) nothing is written
    result = CliRunner().invoke(main, ["pack", str(message_file), "-o", str(out),
                                       "-c", "poster:phone,sms", "--strict"])
    assert result.exit_code == code, result.output
    for part in expected:
        assert part in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_bad_url_and_broken_yaml_exit_2(write_message, tmp_path: Path) -> None:
    text = write_message().read_text("utf-8")
    bad_url = write_message(text=text.replace("https://example.gov.cn/xf/ebike", "ftp://x.cn/a"))
    result = run("pack", str(bad_url), "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "qr.url" in result.stderr and "http://" in result.stderr
    broken = write_message(text="id: a\ntitle: [未闭合\nslogan: s\n", name="broken.yaml")
    result = run("check", str(broken))
    assert result.returncode == 2 and "broken.yaml:" in result.stderr and "YAML" in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_exit_codes_and_json(write_message, demo_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(demo_path), "-c", STILL_CHANNELS]).exit_code == 0
    long_title = write_message(TOO_LONG_HEADLINE)
    result = runner.invoke(main, ["check", str(long_title), "-c", "poster:phone", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["problems"][0]["channel"] == "poster"
    assert report["problems"][0]["profile"] == "phone"
    result = runner.invoke(main, ["check", str(demo_path), "-c", "poster:a5"])
    assert result.exit_code == 2 and "a5" in result.output
    result = runner.invoke(main, ["check", str(demo_path), "-c", "hologram"])
    assert result.exit_code == 2 and "hologram" in result.output


def test_init_writes_a_commented_template_once(tmp_path: Path) -> None:
    target = tmp_path / "m.yaml"
    assert run("init", str(target)).returncode == 0
    text = target.read_text("utf-8")
    assert "# 标题" in text and "# 热线" in text
    assert load_message(target).id == "my-message-2027"
    again = run("init", str(target))
    assert again.returncode == 2 and "已存在" in again.stderr


def test_pack_refuses_a_folder_that_is_not_a_pack(tmp_path: Path, demo_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "important.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["pack", str(demo_path), "-o", str(tmp_path / "docs"),
                                       "-c", "poster:phone"])
    assert result.exit_code == 2
    assert (tmp_path / "docs" / "important.txt").read_text() == "keep me"


def test_pack_replaces_an_older_pack(tmp_path: Path, demo_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "p")
    assert runner.invoke(main, ["pack", str(demo_path), "-o", out, "-c", "poster:phone,sms"]).exit_code == 0
    result = runner.invoke(main, ["pack", str(demo_path), "-o", out, "-c", "poster:phone", "--json"])
    assert result.exit_code == 0
    assert [a["path"] for a in json.loads(result.output)["assets"]] == ["poster/phone.png"]
    assert verify_pack(out) == []


def test_channels_lists_profiles() -> None:
    result = CliRunner().invoke(main, ["channels", "--json"])
    listing = json.loads(result.output)
    assert set(listing["poster"]["profiles"]) == {"a4", "a3", "a2", "phone"}
