"""Regenerate ``src/citebrief/templates/reference.docx``, the reference document that gives DOCX
output its Word styles. A developer tool, not part of the package; run it from the repository root
after changing a style below (needs the test extra, for python-docx):

    .venv/bin/python tests/make_reference_docx.py            # rewrite the template
    .venv/bin/python tests/make_reference_docx.py --check    # exit 1 if the template is not what this makes

Starts from pandoc's own reference document (so every style pandoc uses exists) and sets the
house look: Libertinus Serif throughout (the PDF's font), the PDF's heading sizes, and the citebrief
styles "Limitation" and "Stale" (character: shading, which Word and LibreOffice both render, plus an
underline that survives black-and-white printing), "Limitation Block", "Checked", "Disclaimer",
"Draft", "Colophon", "Flagged List" and "Flagged Item" (paragraph); bibliography entries with a
hanging indent. The page: A4 with the PDF's margins (compile/docx.py makes it Letter for en-US), an
empty header (where compile/docx.py writes the DRAFT mark) and a footer "<title>   n of N".
``tests/test_reference_docx.py`` fails while the committed template differs from what this makes.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from citebrief.tools import pandoc_path

TEMPLATE = Path(__file__).resolve().parents[1] / "src" / "citebrief" / "templates" / "reference.docx"

TITLE_PLACEHOLDER = "CITEBRIEF-TITLE"   # the footer's title field, until compile/docx.py fills it in
BODY_FONT = "Libertinus Serif"      # one open family in every format: typst bundles it for the PDF
SANS_FONT = BODY_FONT


def build() -> bytes:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_UNDERLINE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Inches, Pt, RGBColor

    base = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout
    doc = Document(io.BytesIO(base))
    styles = doc.styles
    ink, muted = RGBColor(0x1D, 0x1F, 0x21), RGBColor(0x5A, 0x5F, 0x66)

    def element(tag: str, **attrs) -> OxmlElement:
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(f"w:{k}"), v)
        return el

    def set_font(rpr_parent, name: str) -> None:
        """All four script slots, and no theme font (a theme font would win over the name in Word)."""
        rpr = rpr_parent.get_or_add_rPr()
        for old in rpr.findall(qn("w:rFonts")):
            rpr.remove(old)
        rpr.insert(0, element("w:rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name))

    def shade(style, fill: str, run: bool = False) -> None:
        parent = style.element.get_or_add_rPr() if run else style.element.get_or_add_pPr()
        parent.append(element("w:shd", val="clear", color="auto", fill=fill))

    def left_border(style, color: str) -> None:
        bdr = element("w:pBdr")
        bdr.append(element("w:left", val="single", sz="18", space="8", color=color))
        style.element.get_or_add_pPr().append(bdr)

    def para_style(name: str, base_name: str = "Body Text"):
        try:
            return styles[name]
        except KeyError:
            s = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = styles[base_name]
            s.quick_style = True
            return s

    def char_style(name: str):
        try:
            return styles[name]
        except KeyError:
            s = styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
            s.quick_style = True
            return s

    # the document default, then every style pandoc writes that names a font of its own
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in defaults.findall(qn("w:rFonts")):
        defaults.remove(old)
    defaults.insert(0, element("w:rFonts", ascii=BODY_FONT, hAnsi=BODY_FONT, eastAsia=BODY_FONT, cs=BODY_FONT))
    for s in styles:
        if s.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER) and s.element.rPr is not None \
                and s.element.rPr.find(qn("w:rFonts")) is not None and s.name not in ("Source Code", "Verbatim Char"):
            set_font(s.element, BODY_FONT)
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        s = styles[name]
        set_font(s.element, BODY_FONT)
        s.font.size = Pt(11)
        s.font.color.rgb = ink
    styles["Body Text"].paragraph_format.space_after = Pt(8)
    styles["Body Text"].paragraph_format.line_spacing = 1.2
    # the PDF's hierarchy (templates/citebrief.typ): 13.5, 11.5 and 10.5 pt, the third in italics
    for level, size, italic in ((1, 13.5, False), (2, 11.5, False), (3, 10.5, True), (4, 10.5, True)):
        s = styles[f"Heading {level}"]
        set_font(s.element, SANS_FONT)
        s.font.size = Pt(size)
        s.font.bold, s.font.italic = True, italic
        s.font.color.rgb = ink
        s.paragraph_format.space_before = Pt(20 if level == 1 else 14)
        s.paragraph_format.space_after = Pt(6)
        s.paragraph_format.keep_with_next = True
    # the title block, left-aligned like everything else (pandoc's reference document centres it)
    for name, size, bold, italic, colour in (("Title", 22, True, False, ink), ("Subtitle", 13, False, True, muted),
                                             ("Author", 10, False, False, ink), ("Date", 10, False, False, muted)):
        s = styles[name]
        set_font(s.element, BODY_FONT)
        s.font.size, s.font.bold, s.font.italic, s.font.color.rgb = Pt(size), bold, italic, colour
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        s.paragraph_format.space_before = Pt(0)
        s.paragraph_format.space_after = Pt(6)
    for name in ("Hyperlink",):
        styles[name].font.color.rgb = RGBColor(0x1A, 0x4F, 0x8B)

    checked = para_style("Checked")
    checked.font.size, checked.font.bold = Pt(9.5), True
    checked.paragraph_format.space_before = Pt(10)
    checked.paragraph_format.space_after = Pt(6)
    disclaimer = para_style("Disclaimer")
    disclaimer.font.size = Pt(9.5)
    disclaimer.font.color.rgb = RGBColor(0x33, 0x36, 0x3A)
    shade(disclaimer, "F4F1EA")
    left_border(disclaimer, "8A1C1C")
    draft = para_style("Draft")
    draft.font.size, draft.font.bold = Pt(10), True
    draft.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    shade(draft, "FDE8EA")
    left_border(draft, "B00020")
    block = para_style("Limitation Block")
    shade(block, "FDF0C2")
    left_border(block, "D9A400")
    flagged = para_style("Flagged List", "Compact")
    flagged.font.size = Pt(9.5)
    shade(flagged, "F4F1EA")
    item = para_style("Flagged Item", "Flagged List")       # each flag in the list (a list paragraph)
    item.paragraph_format.left_indent = Cm(0.6)
    item.paragraph_format.first_line_indent = Cm(-0.6)
    item.paragraph_format.space_after = Pt(3)
    colophon = para_style("Colophon")
    colophon.font.size = Pt(8.5)
    colophon.font.color.rgb = muted
    colophon.paragraph_format.space_before = Pt(24)
    top = element("w:pBdr")
    top.append(element("w:top", val="single", sz="4", space="6", color="5A5F66"))
    colophon.element.get_or_add_pPr().append(top)
    bib = para_style("Bibliography")
    bib.font.size = Pt(9.5)
    bib.paragraph_format.left_indent = Cm(0.55)           # a hanging indent, as in the PDF (1.5em)
    bib.paragraph_format.first_line_indent = Cm(-0.55)
    bib.paragraph_format.space_after = Pt(4)

    lim = char_style("Limitation")
    shade(lim, "FDF0C2", run=True)                         # Word and LibreOffice both render shading
    lim.font.underline = WD_UNDERLINE.SINGLE               # and print it in black and white
    lim.element.rPr.find(qn("w:u")).set(qn("w:color"), "D9A400")
    lim.font.color.rgb = RGBColor(0x5A, 0x3A, 0x00)
    stale = char_style("Stale")
    stale.font.bold = True
    stale.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    for name in ("Header", "Footer"):
        s = para_style(name, "Normal")
        set_font(s.element, BODY_FONT)
        s.font.size = Pt(8)
        s.font.color.rgb = muted

    # the page: A4 and the PDF's margins; an empty header; the footer "<title>   n of N"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Inches(1.15)
    section.top_margin, section.bottom_margin = Inches(1), Inches(1.05)
    section.header_distance = section.footer_distance = Inches(0.5)
    section.header.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.style = styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    section.footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.style = styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(
        section.page_width - section.left_margin - section.right_margin, WD_TAB_ALIGNMENT.RIGHT)

    def field(paragraph, code: str, shown: str) -> None:
        run = paragraph.add_run()
        run._r.append(element("w:fldChar", fldCharType="begin"))
        instr = element("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {code} "
        paragraph.add_run()._r.append(instr)
        paragraph.add_run()._r.append(element("w:fldChar", fldCharType="separate"))
        paragraph.add_run(shown)
        paragraph.add_run()._r.append(element("w:fldChar", fldCharType="end"))

    field(footer, "TITLE", TITLE_PLACEHOLDER)      # compile/docx.py writes the brief's title there
    footer.add_run("\t")
    field(footer, "PAGE", "1")
    footer.add_run(" of ")
    field(footer, "NUMPAGES", "1")

    doc.core_properties.title = "citebrief reference document"
    doc.core_properties.author = "citebrief"
    out = io.BytesIO()
    doc.save(out)
    return _with_font_entry(out.getvalue())


# Where a reader lacks the font, Word and LibreOffice pick a substitute of the family named here
# (a serif, like Georgia), not their default sans.
FONT_ENTRY = (f'<w:font w:name="{BODY_FONT}"><w:altName w:val="Georgia"/>'
              '<w:panose1 w:val="02000503000000000000"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>')


def _with_font_entry(docx: bytes) -> bytes:
    """The document with FONT_ENTRY in its font table, every zip entry dated 1980 (reproducible)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/fontTable.xml":
                text = data.decode("utf-8")
                at = text.index(">", text.index("<w:fonts")) + 1
                data = (text[:at] + FONT_ENTRY + text[at:]).encode("utf-8")
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHAPING = re.compile(r"word/(styles|fontTable|header\d*|footer\d*)\.xml")


def styles_xml(docx: bytes) -> dict[str, bytes]:
    """What DOCX output takes from the reference document: the styles, the font table, the header and
    footer, and the page setup (the last ``sectPr`` of the body)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        parts = {n: zf.read(n) for n in sorted(zf.namelist()) if SHAPING.fullmatch(n)}
        body = zf.read("word/document.xml")
    parts["sectPr"] = body[body.rfind(b"<w:sectPr"):]
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the DOCX reference document.")
    parser.add_argument("--output", type=Path, default=TEMPLATE, help=f"where to write it (default: {TEMPLATE})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the styles of --output differ from what this script makes")
    args = parser.parse_args(argv)
    made = build()
    if args.check:
        try:
            current = styles_xml(args.output.read_bytes())
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            print(f"{args.output}: cannot read its styles: {exc}", file=sys.stderr)
            return 1
        if current != styles_xml(made):
            print(f"{args.output}: its styles differ from what tests/make_reference_docx.py makes: "
                  "run it and commit the result", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date")
        return 0
    args.output.write_bytes(made)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
