"""PDF/X-4 for print shops: page boxes, printer's marks, output intent and metadata.

A print page is the finished size (TrimBox) plus the bleed (BleedBox) plus, for marks, a slug
outside the bleed (MediaBox). Crop marks and registration targets sit in the slug, never in the
bleed, drawn in registration colour (Separation ``/All``), which prints on every plate.

``finish`` turns the vector writer's PDF into PDF/X-4 with pikepdf: the FOGRA39 output intent
with its profile, ``GTS_PDFXVersion``, ``/Trapped``, title and fixed dates in both the document
information and the XMP packet, and a trailer ``/ID`` computed from the content. Nothing depends
on the clock, so the same drawing gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from reportlab.lib.colors import CMYKColorSep
from reportlab.pdfgen.canvas import Canvas

from .cmyk import OUTPUT_CONDITION, OUTPUT_CONDITION_INFO, profile_path
from .pdf import PT_PER_MM

PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"
FIXED_DATE = (2000, 1, 1)
"""Creation and modification date written when the caller gives none: never the clock."""
MARK_GAP_MM = 1.0
"""Distance between the bleed box and the start of a crop mark."""
MARK_LINE_PT = 0.25
SLUG_MM = 10.0
"""Room outside the bleed for crop marks and registration targets."""
MAX_PAGE_PT = 14400.0
"""PDF's largest page side in user units (200 in = 5.08 m): a banner is longer than that."""
LARGE_USER_UNIT = 10
"""UserUnit (PDF 1.6) of a page larger than ``MAX_PAGE_PT``: one user unit is then 10 pt, as
large-format tools (Illustrator, pdfChip) write it, so an 8 m banner keeps its real size."""
OVERPRINT = "XfBlackOverprint"
"""Graphics state for solid black: overprint, so black type never leaves a white gap on a
misregistered colour plate (OPM 1: the plates black ink does not use are left as they are)."""
REGISTRATION = CMYKColorSep(1, 1, 1, 1, spotName="All", alpha=None)

Rect = tuple[float, float, float, float]
"""(left, bottom, right, top) in points."""


@dataclass(frozen=True)
class PrintSheet:
    """The boxes of one print page, in mm."""

    trim_mm: tuple[float, float]
    """Finished width and height."""
    bleed_mm: float = 0.0
    slug_mm: float = 0.0
    """Room outside the bleed; crop marks and registration targets are drawn there when > 0."""

    @property
    def user_unit(self) -> int:
        """Points per user unit of the page: 1, or ``LARGE_USER_UNIT`` beyond 5.08 m."""
        return 1 if max(self.media_pt) <= MAX_PAGE_PT else LARGE_USER_UNIT

    @property
    def media_pt(self) -> tuple[float, float]:
        margin = 2 * (self.bleed_mm + self.slug_mm)
        return ((self.trim_mm[0] + margin) * PT_PER_MM, (self.trim_mm[1] + margin) * PT_PER_MM)

    def _inset(self, mm: float) -> Rect:
        width, height = self.media_pt
        inset = mm * PT_PER_MM
        return (inset, inset, width - inset, height - inset)

    @property
    def bleed_box(self) -> Rect:
        return self._inset(self.slug_mm)

    @property
    def trim_box(self) -> Rect:
        return self._inset(self.slug_mm + self.bleed_mm)


def draw_marks(canvas: Canvas, sheet: PrintSheet) -> None:
    """Crop marks on the trim lines and registration targets mid-side, all in the slug."""
    if sheet.slug_mm <= 0:
        return
    width, height = sheet.media_pt
    left, bottom, right, top = sheet.trim_box
    near = (sheet.bleed_mm + MARK_GAP_MM) * PT_PER_MM
    far = (sheet.bleed_mm + sheet.slug_mm - MARK_GAP_MM) * PT_PER_MM
    canvas.saveState()
    canvas.setStrokeColor(REGISTRATION)
    canvas.setFillColor(REGISTRATION)
    canvas.setLineWidth(MARK_LINE_PT)
    for x in (left, right):
        canvas.line(x, bottom - near, x, bottom - far)
        canvas.line(x, top + near, x, top + far)
    for y in (bottom, top):
        canvas.line(left - near, y, left - far, y)
        canvas.line(right + near, y, right + far, y)
    middle = (sheet.bleed_mm + sheet.slug_mm / 2) * PT_PER_MM
    for cx, cy in ((width / 2, bottom - middle), (width / 2, top + middle),
                   (left - middle, height / 2), (right + middle, height / 2)):
        registration_target(canvas, cx, cy, (sheet.slug_mm / 2 - MARK_GAP_MM) * PT_PER_MM)
    canvas.restoreState()


def registration_target(canvas: Canvas, cx: float, cy: float, reach: float) -> None:
    """A circle with a cross through it: the plates are in register when the targets coincide."""
    radius = reach * 0.6
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    canvas.circle(cx, cy, radius / 2.5, stroke=0, fill=1)
    canvas.line(cx - reach, cy, cx + reach, cy)
    canvas.line(cx, cy - reach, cx, cy + reach)


def cut_line(canvas: Canvas, start: tuple[float, float], end: tuple[float, float]) -> None:
    """One cut mark (points), in registration colour."""
    canvas.saveState()
    canvas.setStrokeColor(REGISTRATION)
    canvas.setLineWidth(MARK_LINE_PT)
    canvas.line(*start, *end)
    canvas.restoreState()


@cache
def compressed_profile() -> bytes:
    """The output profile, zlib-compressed once per process (as it goes into every file)."""
    return zlib.compress(Path(profile_path()).read_bytes(), 9)


def _pdf_date(date: tuple[int, int, int]) -> str:
    return f"D:{date[0]:04d}{date[1]:02d}{date[2]:02d}000000Z"


def _xmp(title: str, date: tuple[int, int, int], document_id: str) -> bytes:
    stamp = f"{date[0]:04d}-{date[1]:02d}-{date[2]:02d}T00:00:00Z"
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
   <xmp:CreatorTool>xfpush</xmp:CreatorTool>
   <pdf:Producer>xfpush</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>{document_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def finish(drawn: bytes, sheet: PrintSheet, title: str,
           date: tuple[int, int, int] | None = None) -> bytes:
    """The drawn PDF as PDF/X-4: boxes, output intent, metadata, content-derived ID."""
    date = date or FIXED_DATE
    document_id = f"uuid:{uuid.UUID(bytes=hashlib.sha256(drawn).digest()[:16])}"
    with pikepdf.open(io.BytesIO(drawn)) as pdf:
        unit = sheet.user_unit
        for page in pdf.pages:
            width, height = sheet.media_pt
            page.obj.MediaBox = pikepdf.Array([0, 0, _pt(width / unit), _pt(height / unit)])
            page.obj.BleedBox = pikepdf.Array([_pt(v / unit) for v in sheet.bleed_box])
            page.obj.TrimBox = pikepdf.Array([_pt(v / unit) for v in sheet.trim_box])
            if unit != 1:
                page.obj.UserUnit = unit
            for key in ("/CropBox", "/ArtBox"):
                if key in page.obj:
                    del page.obj[key]
            _add_overprint_state(pdf, page.obj)
        profile = pikepdf.Stream(pdf, compressed_profile())
        profile.N = 4
        profile.Filter = pikepdf.Name.FlateDecode
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=OUTPUT_CONDITION, OutputCondition=OUTPUT_CONDITION_INFO,
            RegistryName="http://www.color.org", Info=OUTPUT_CONDITION_INFO,
            DestOutputProfile=pdf.make_indirect(profile))])
        metadata = pikepdf.Stream(pdf, _xmp(title, date, document_id))
        metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = pdf.make_indirect(metadata)
        pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(title), Producer="xfpush", Creator="xfpush",
            CreationDate=_pdf_date(date), ModDate=_pdf_date(date),
            Trapped=pikepdf.Name("/False"), GTS_PDFXVersion=PDFX_VERSION))
        if "/ID" in pdf.trailer:
            del pdf.trailer.ID  # reportlab's fixed one: qpdf then derives both halves from content
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 force_version=PDF_VERSION, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _add_overprint_state(pdf: pikepdf.Pdf, page: pikepdf.Dictionary) -> None:
    """The overprint graphics state in the resources of the page and of each of its forms."""
    state = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, OP=True, op=True,
                                                 OPM=1))
    owners = [page, *(form for form in page.Resources.get("/XObject", {}).values()
                      if form.get("/Subtype") == pikepdf.Name.Form)]
    for owner in owners:
        resources = owner.get("/Resources")
        if resources is None:
            owner.Resources = resources = pikepdf.Dictionary()
        states = resources.get("/ExtGState")
        if states is None:
            resources.ExtGState = states = pikepdf.Dictionary()
        states[f"/{OVERPRINT}"] = state


# -- reading it back -----------------------------------------------------------------------
_RGB_SPACES = frozenset({"/DeviceRGB", "/CalRGB"})


def preflight(pdf: bytes) -> list[str]:
    """What keeps ``pdf`` from being PDF/X-4 as this module writes it; empty when nothing.

    Reads the structure, not the pixels: PDF/X keys, output intent, nested boxes, embedded
    fonts, and no RGB colour space or operator anywhere.
    """
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        info = document.trailer.get("/Info", pikepdf.Dictionary())
        if str(info.get("/GTS_PDFXVersion", "")) != PDFX_VERSION:
            problems.append(f"文档信息缺少 GTS_PDFXVersion（{PDFX_VERSION}）")
        if info.get("/Trapped") not in (pikepdf.Name("/True"), pikepdf.Name("/False")):
            problems.append("文档信息缺少 /Trapped")
        intents = document.Root.get("/OutputIntents", pikepdf.Array())
        if not any(i.get("/S") == pikepdf.Name.GTS_PDFX and "/DestOutputProfile" in i
                   for i in intents):
            problems.append("缺少 PDF/X 输出意图（含 ICC 特性文件）")
        for page in document.pages:
            problems += _box_problems(page.obj)
            problems += _content_problems(page)
        problems += _object_problems(document)
    return problems


def _box_problems(page: pikepdf.Dictionary) -> list[str]:
    media = [float(v) for v in page.MediaBox]
    if max(media[2] - media[0], media[3] - media[1]) > MAX_PAGE_PT + 0.01:
        return [f"页面超过 PDF 的最大尺寸 {MAX_PAGE_PT:g} 单位（应使用 UserUnit）"]
    if "/TrimBox" not in page or "/BleedBox" not in page:
        return ["页面缺少 TrimBox 或 BleedBox"]
    bleed, trim = [float(v) for v in page.BleedBox], [float(v) for v in page.TrimBox]
    if not (_within(trim, bleed) and _within(bleed, media)):
        return ["页面框不嵌套：应为 TrimBox ⊆ BleedBox ⊆ MediaBox"]
    return []


def _within(inner: list[float], outer: list[float]) -> bool:
    tolerance = 0.01
    return (inner[0] >= outer[0] - tolerance and inner[1] >= outer[1] - tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _content_problems(page: pikepdf.Page) -> list[str]:
    streams: list[pikepdf.Object] = [page.obj]
    streams += [x for x in page.Resources.get("/XObject", {}).values()
                if x.get("/Subtype") == pikepdf.Name.Form]
    for owner in streams:
        for instruction in pikepdf.parse_content_stream(owner):
            if str(instruction.operator) in ("rg", "RG"):
                return ["内容流中有 RGB 颜色（rg/RG）"]
    return []


def _object_problems(document: pikepdf.Pdf) -> list[str]:
    problems = []
    for obj in document.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            continue
        if isinstance(obj, pikepdf.Array):
            if any(isinstance(v, pikepdf.Name) and str(v) in _RGB_SPACES for v in obj):
                problems.append("使用了 RGB 颜色空间")
            continue
        if any(isinstance(v, pikepdf.Name) and str(v) in _RGB_SPACES for v in obj.values()):
            problems.append("使用了 RGB 颜色空间")
        if obj.get("/Type") == pikepdf.Name.FontDescriptor and not any(
                key in obj for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"字体未嵌入：{obj.get('/FontName')}")
    return sorted(set(problems))


def _pt(value: float) -> float:
    return round(value, 3)
