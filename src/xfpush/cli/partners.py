"""CLI commands for partners: adapters, package, deliver, receive, approve, report."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..errors import XfpushError, os_reason
from .app import emit_json, fail, main

ADAPTERS_DIR = click.option("--adapters-dir", type=click.Path(path_type=Path, file_okay=False,
                                                              exists=True),
                            default=None, help="额外的适配器文件夹（每个子文件夹一个 adapter.toml）")


@main.group("adapters", invoke_without_command=True)
@ADAPTERS_DIR
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def adapters_group(ctx: click.Context, adapters_dir: Path | None, as_json: bool) -> None:
    """列出合作方适配器和它们需要的规格；xfpush adapters new ID 新建一个。"""
    if ctx.invoked_subcommand is not None:
        return
    from ..partners.adapters import discover

    try:
        found = discover(adapters_dir)
    except XfpushError as exc:
        fail(exc, as_json)
    listing = {a.id: {"name": a.name, "description": a.description, "needs": list(a.needs),
                      "transport": a.transport,
                      "settings": {s.name: {"type": s.type, "env": s.env, "secret": s.secret,
                                            "required": s.required} for s in a.settings},
                      "folder": str(a.folder)} for a in found.values()}
    if as_json:
        emit_json(listing)
        return
    for ident, info in sorted(listing.items()):
        click.echo(f"{ident:<16} {info['name']}")
        click.echo(f"{'':<16} 需要：{'、'.join(info['needs'])}；默认投递：{info['transport']}")


@adapters_group.command("new")
@click.argument("adapter_id", metavar="ID")
@click.option("-o", "--output", default=".", show_default=True,
              type=click.Path(path_type=Path, file_okay=False), help="在哪个文件夹下新建")
@click.option("--no-hooks", is_flag=True, help="不生成 hooks.py")
def new_adapter(adapter_id: str, output: Path, no_hooks: bool) -> None:
    """新建一个带中文注释的适配器文件夹（adapter.toml、README.md、hooks.py）。"""
    from ..partners.scaffold import scaffold_adapter

    try:
        folder = scaffold_adapter(adapter_id, output, hooks=not no_hooks)
    except XfpushError as exc:
        fail(exc)
    click.echo(f"已新建 {folder}。修改 adapter.toml 后运行：xfpush adapters --adapters-dir {output}")


@main.command("package")
@click.argument("pack_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--adapter", "adapter_id", required=True, help="适配器 id，见 xfpush adapters")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="输出文件夹")
@ADAPTERS_DIR
def package_command(pack_dir: Path, adapter_id: str, output: Path,
                    adapters_dir: Path | None) -> None:
    """生成合作方包（zip 及其清单），不联网。"""
    from ..partners.adapters import get_adapter, resolve_settings
    from ..partners.packaging import build_package, write_package

    try:
        adapter = get_adapter(adapter_id, adapters_dir)
        settings = resolve_settings(adapter, os.environ)
        zip_path, manifest_path = write_package(build_package(pack_dir, adapter, settings), output,
                                                pack_dir)
    except XfpushError as exc:
        fail(exc)
    click.echo(f"已生成 {zip_path}")
    click.echo(f"清单 {manifest_path}")


@main.command("deliver")
@click.argument("pack_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--adapter", "adapter_id", required=True)
@click.option("--to", "destination", required=True, help="file:///…、http(s)://… 或 smtp://…")
@click.option("--ledger", "ledger_path", type=click.Path(path_type=Path),
              default=Path("xfpush-ledger.sqlite"), show_default=True)
@click.option("--dry-run", is_flag=True, help="只打包并说明要发送什么，不建立任何连接")
@click.option("--secret-env", default="XFPUSH_HTTP_SECRET", show_default=True,
              help="HTTP 签名密钥所在的环境变量名")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="HTTP 超时（秒）")
@click.option("--retries", type=int, default=3, show_default=True, help="HTTP 重试次数")
@click.option("--backoff", type=float, default=1.0, show_default=True, help="首次重试等待（秒）")
@click.option("--waive-approval", is_flag=True, help="未审核也投递（台账记录为 waived）")
@click.option("--json", "as_json", is_flag=True)
@ADAPTERS_DIR
def deliver_command(pack_dir: Path, adapter_id: str, destination: str, ledger_path: Path,
                    dry_run: bool, secret_env: str, timeout: float, retries: int,
                    backoff: float, waive_approval: bool, as_json: bool,
                    adapters_dir: Path | None) -> None:
    """打包并投递，每次尝试都记入台账；重跑只补发未送达的。"""
    from ..partners.adapters import get_adapter
    from ..partners.delivery import deliver
    from ..partners.transports import HttpOptions

    try:
        adapter = get_adapter(adapter_id, adapters_dir)
        result = deliver(pack_dir, adapter, destination, ledger_path=ledger_path,
                         dry_run=dry_run, secret_env=secret_env, waive_approval=waive_approval,
                         http=HttpOptions("", timeout, retries, backoff))
    except XfpushError as exc:
        fail(exc, as_json)
    if as_json:
        emit_json(asdict(result))
    else:
        click.echo(f"{result.package} → {result.destination}：{result.state}（{result.detail}）")
    sys.exit(0 if result.state in ("acknowledged", "dry-run") else 1)


@main.command("receive")
@click.option("--port", type=click.IntRange(0, 65535), required=True)
@click.option("--dir", "folder", type=click.Path(path_type=Path), required=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--secret-env", default="XFPUSH_HTTP_SECRET", show_default=True)
@click.option("--window", type=click.IntRange(1, 3600), default=300, show_default=True,
              help="时间戳允许偏差（秒）")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
              help="连接空闲和收完请求头的时限（秒）；慢速客户端超时即断开")
@click.option("--workers", type=click.IntRange(1, 256), default=8, show_default=True,
              help="同时处理的连接数（其余排队，队满回 503）")
@click.option("--max-bytes", type=click.IntRange(1, 2**40), default=256 * 1024 * 1024,
              show_default=True, help="请求正文上限（字节）")
@click.option("--fail-first", type=int, default=0, help="演练：前 N 个请求回 503")
@click.option("--delay", type=float, default=0.0, help="演练：存好后延迟 N 秒再应答")
def receive(port: int, folder: Path, host: str, secret_env: str, window: int, timeout: float,
            workers: int, max_bytes: int, fail_first: int, delay: float) -> None:
    """参考接收端：先验签再收正文、按幂等键只存一次、回执。"""
    from ..partners.receiver import Receiver, make_server
    from ..partners.serving import Limits

    secret = os.environ.get(secret_env, "")
    if not secret:
        click.echo(f"错误：请在环境变量 {secret_env} 中设置签名密钥", err=True)
        sys.exit(2)
    limits = Limits(timeout_s=timeout, max_bytes=max_bytes, workers=workers,
                    queue=max(64, 4 * workers))
    try:
        server = make_server(port, Receiver(folder, secret, window, fail_first, delay), host,
                             limits)
    except OSError as exc:
        click.echo(f"错误：无法在 {host}:{port} 监听或无法使用文件夹 {folder}："
                   f"{os_reason(exc)}", err=True)
        sys.exit(2)
    click.echo(f"接收端已启动：http://{host}:{server.server_address[1]}/ → {folder}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command("approve")
@click.argument("pack_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--by", "by", required=True, help="审核人")
@click.option("--role", default="终审", show_default=True, help="初审、复审或终审")
@click.option("--yes", "confirmed", is_flag=True,
              help="物料包有未能生成的规格时，不询问直接确认签字")
def approve_command(pack_dir: Path, by: str, role: str, confirmed: bool) -> None:
    """记录审核签字（绑定当前 manifest.json 的哈希）。"""
    from ..partners.delivery import approve, pack_failures

    try:
        failures = pack_failures(pack_dir)
        if failures:
            confirm_failures(pack_dir, failures, confirmed)
        entry = approve(pack_dir, by, role)
    except XfpushError as exc:
        fail(exc)
    click.echo(f"已记录{entry['role']}：{entry['by']}（manifest {entry['manifest_sha256'][:12]}…）")


def confirm_failures(pack_dir: Path, failures: list[dict[str, str]], confirmed: bool) -> None:
    """Show what the pack could not make; go on only when the reviewer confirms."""
    profiles = list(dict.fromkeys(f"{f.get('channel')}:{f.get('profile')}" for f in failures))
    click.echo(f"注意：物料包 {pack_dir} 中有 {len(profiles)} 个规格未能生成，签字后也不能交给需要它们的合作方：",
               err=True)
    for failure in failures:
        click.echo(f"  [{failure.get('channel')}:{failure.get('profile')}] {failure.get('reason')}。"
                   f"修改方法：{failure.get('fix')}", err=True)
    if confirmed:
        return
    if not sys.stdin.isatty():
        click.echo("错误：物料包有未能生成的规格，签字需要确认。确认仍要签字请加 --yes，"
                   "或按修改方法改好消息后重新运行 xfpush pack", err=True)
        sys.exit(2)
    if not click.confirm("仍要为其余物料签字吗？", default=False, err=True):
        click.echo("未签字：审核未记录", err=True)
        sys.exit(1)


@main.command("report")
@click.option("--ledger", "ledger_path", type=click.Path(path_type=Path, exists=True),
              required=True)
@click.option("--month", default=None, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "xlsx"]), default="md")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="输出文件（xlsx 必填）")
def report(ledger_path: Path, month: str | None, fmt: str, output: Path | None) -> None:
    """按月汇总生产和投递情况（md、csv、xlsx）。"""
    from ..partners.report import csv_text, markdown, rows, xlsx_bytes

    try:
        data = rows(str(ledger_path), month)
    except XfpushError as exc:
        fail(exc)
    if fmt == "xlsx" and output is None:
        click.echo("错误：xlsx 格式需要 -o 输出文件", err=True)
        sys.exit(2)
    if fmt == "xlsx" or output:
        payload = (xlsx_bytes(data, month) if fmt == "xlsx" else
                   (markdown(data, month) if fmt == "md" else csv_text(data)).encode("utf-8"))
        try:
            assert output is not None
            output.write_bytes(payload)
        except OSError as exc:
            click.echo(f"错误：无法写入 {output}：{os_reason(exc)}。请用 -o 换一个位置", err=True)
            sys.exit(2)
        if fmt == "xlsx":
            click.echo(f"已写入 {output}（{len(data)} 行）")
        return
    click.echo(markdown(data, month) if fmt == "md" else csv_text(data), nl=False)
