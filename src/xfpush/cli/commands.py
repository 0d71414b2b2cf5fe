"""Commands on one message or pack: init, demo, check, pack, verify, channels."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import InputError, XfpushError, os_reason
from .app import CHANNELS_HELP, emit_json, fail, main


@main.command()
@click.argument("file", default="message.yaml", type=click.Path(path_type=Path))
def init(file: Path) -> None:
    """写一个带中文注释的消息文件模板。"""
    from ..resources import asset_path

    if file.exists():
        click.echo(f"错误：{file} 已存在，不会覆盖。请换一个文件名", err=True)
        sys.exit(2)
    try:
        shutil.copyfile(asset_path("examples", "init.yaml"), file)
    except OSError as exc:
        folder = file.parent if str(file.parent) not in ("", ".") else Path.cwd()
        fail(InputError(f"无法写入 {file}：{os_reason(exc)}（文件夹 {folder}）。"
                        "请换一个已存在且可写的文件夹"))
    click.echo(f"已写入 {file}。修改后运行：xfpush check {file}")


@main.command()
@click.option("-o", "--output", default="xfpush-demo", type=click.Path(path_type=Path),
              help="输出文件夹（默认 ./xfpush-demo）")
def demo(output: Path) -> None:
    """用内置示例消息生成一套完整物料包。"""
    from ..model.loader import load_message
    from ..pack.build import build_pack
    from ..resources import asset_path

    try:
        message = load_message(asset_path("examples", "demo.yaml"))
        result = build_pack(message, output)
    except XfpushError as exc:
        fail(exc)
    count = len(result.manifest["assets"])
    click.echo(f"示例物料包已生成：{result.path}（{count} 个文件）")
    report_skipped(result.manifest)
    report_failures(result.manifest)
    click.echo(f"打开审核单查看：{result.path / 'proof.html'}")
    click.echo("下一步：运行 xfpush serve，在浏览器里编写、预览、审核并投递自己的宣传信息")
    if result.manifest.get("failures"):
        sys.exit(1)


def report_skipped(manifest: dict[str, Any]) -> None:
    """Say which channels were left out for a missing optional engine, and the command to add it."""
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for entry in manifest.get("skipped") or []:
        channels = groups.setdefault((entry["reason"], entry["fix"]), {})
        channels.setdefault(entry["channel"], []).append(entry["profile"])
    for (reason, fix), channels in groups.items():
        names = "、".join(f"{name}（{'、'.join(profiles)}）" for name, profiles in channels.items())
        click.echo(f"已跳过 {names}：{reason}", err=True)
        if fix:
            click.echo(f"启用这些渠道只需一条命令：{fix}", err=True)


ALLOW_PATH_HELP = ("消息引用的文件（标志、疏散图、备用字体）还可以放在这个文件夹里；"
                   "默认只允许消息文件所在的文件夹。可写多次")


def allow_path_option(function: Any) -> Any:
    return click.option("--allow-path", "allow_paths", multiple=True,
                        type=click.Path(path_type=Path, file_okay=False), help=ALLOW_PATH_HELP
                        )(function)


@main.command()
@click.argument("message_file", type=click.Path(path_type=Path))
@click.option("-c", "--channels", default=None, help=CHANNELS_HELP)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@allow_path_option
def check(message_file: Path, channels: str | None, as_json: bool,
          allow_paths: tuple[Path, ...]) -> None:
    """只检查消息是否符合各渠道限制，不生成文件。"""
    from ..model.loader import load_message

    try:
        message = load_message(message_file, allow_paths=allow_paths)
        from ..pack.build import check_message  # after the message: a bad file fails fast

        skipped: list[dict[str, str]] = []
        problems = check_message(message, channels, skipped=skipped)
    except XfpushError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json({"ok": not problems, "problems": [p.as_dict() for p in problems],
                   "skipped": skipped})
        sys.exit(1 if problems else 0)
    report_skipped({"skipped": skipped})
    if problems:
        click.echo(f"{len(problems)} 项检查未通过：", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo("检查通过")
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("message_file", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="输出文件夹")
@click.option("-c", "--channels", default=None, help=CHANNELS_HELP)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--strict", is_flag=True,
              help="任何规格未通过检查就什么都不写（默认：写出其余物料并列出未通过的规格）")
@allow_path_option
def pack(message_file: Path, output: Path, channels: str | None, as_json: bool,
         strict: bool, allow_paths: tuple[Path, ...]) -> None:
    """生成物料包（全部或所选渠道）。"""
    from ..model.loader import load_message
    from ..pack.build import build_pack

    try:
        result = build_pack(load_message(message_file, allow_paths=allow_paths), output,
                            channels, strict=strict)
    except XfpushError as exc:
        fail(exc, as_json)
    assets = result.manifest["assets"]
    failures = result.manifest.get("failures", [])
    if as_json:
        emit_json({"ok": not failures, "path": str(result.path),
                   "assets": [{"path": a["path"], "sha256": a["sha256"]} for a in assets],
                   "failures": failures, "skipped": result.manifest.get("skipped", [])})
    else:
        click.echo(f"物料包已生成：{result.path}（{len(assets)} 个文件）")
        report_skipped(result.manifest)
        report_failures(result.manifest)
    sys.exit(1 if failures else 0)


def report_failures(manifest: dict[str, Any]) -> None:
    """Say which profiles could not be made, why, and what to change (on stderr)."""
    failures = manifest.get("failures") or []
    if not failures:
        return
    profiles = list(dict.fromkeys(f"{f['channel']}:{f['profile']}" for f in failures))
    click.echo(f"但有 {len(profiles)} 个规格未能生成（{'、'.join(profiles)}），"
               "物料包中没有它们的文件，审核单顶部列出了原因：", err=True)
    for failure in failures:
        click.echo(f"  [{failure['channel']}:{failure['profile']}] {failure['reason']}。"
                   f"修改方法：{failure['fix']}", err=True)


@main.command()
@click.argument("pack_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def verify(pack_dir: Path, as_json: bool) -> None:
    """按 manifest.json 重新校验物料包中每个文件。"""
    from ..pack.manifest import MANIFEST, verify_pack

    if not pack_dir.is_dir():
        what = "是一个文件，不是物料包文件夹" if pack_dir.exists() else "不存在"
        fail(InputError(f"{pack_dir} {what}。请给出 xfpush pack 生成的文件夹（内有 {MANIFEST}）"),
             as_json)
    problems = verify_pack(pack_dir)
    if as_json:
        emit_json({"ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        click.echo(f"校验失败：{len(problems)} 处问题", err=True)
    else:
        click.echo(f"校验通过：{pack_dir}")
    sys.exit(1 if problems else 0)


@main.command("channels")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def list_channels(as_json: bool) -> None:
    """列出渠道和规格（含已安装插件提供的渠道）。"""
    from ..channels import CHANNELS

    try:
        listing: dict[str, dict[str, Any]] = {name: {
            "title": channel.title, "plugin": CHANNELS.plugins.points()[name].dist,
            "profiles": {p: profile.summary for p, profile in channel.profiles.items()}}
            for name, channel in CHANNELS.items()}
    except XfpushError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json(listing)
        return
    for name, info in listing.items():
        origin = "" if info["plugin"] == "xfpush" else f"  〔插件 {info['plugin']}〕"
        click.echo(f"{name}（{info['title']}）{origin}")
        for profile, summary in info["profiles"].items():
            click.echo(f"  {name}:{profile:<10} {summary}")
