"""Commands on one message or pack: init, demo, check, pack, verify, channels."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import XfpushError
from .app import CHANNELS_HELP, emit_json, fail, main


@main.command()
@click.argument("file", default="message.yaml", type=click.Path(path_type=Path))
def init(file: Path) -> None:
    """写一个带中文注释的消息文件模板。"""
    from ..resources import asset_path

    if file.exists():
        click.echo(f"错误：{file} 已存在，不会覆盖。请换一个文件名", err=True)
        sys.exit(2)
    shutil.copyfile(asset_path("examples", "init.yaml"), file)
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
    click.echo(f"打开审核单查看：{result.path / 'proof.html'}")
    click.echo("下一步：运行 xfpush serve，在浏览器里编写、预览、审核并投递自己的宣传信息")


@main.command()
@click.argument("message_file", type=click.Path(path_type=Path))
@click.option("-c", "--channels", default=None, help=CHANNELS_HELP)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def check(message_file: Path, channels: str | None, as_json: bool) -> None:
    """只检查消息是否符合各渠道限制，不生成文件。"""
    from ..model.loader import load_message
    from ..pack.build import check_message

    try:
        problems = check_message(load_message(message_file), channels)
    except XfpushError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json({"ok": not problems, "problems": [p.as_dict() for p in problems]})
    elif problems:
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
def pack(message_file: Path, output: Path, channels: str | None, as_json: bool) -> None:
    """生成物料包（全部或所选渠道）。"""
    from ..model.loader import load_message
    from ..pack.build import build_pack

    try:
        result = build_pack(load_message(message_file), output, channels)
    except XfpushError as exc:
        fail(exc, as_json)
    assets = result.manifest["assets"]
    if as_json:
        emit_json({"ok": True, "path": str(result.path),
                    "assets": [{"path": a["path"], "sha256": a["sha256"]} for a in assets]})
    else:
        click.echo(f"物料包已生成：{result.path}（{len(assets)} 个文件）")


@main.command()
@click.argument("pack_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def verify(pack_dir: Path, as_json: bool) -> None:
    """按 manifest.json 重新校验物料包中每个文件。"""
    from ..pack.manifest import verify_pack

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
