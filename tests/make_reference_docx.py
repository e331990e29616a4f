"""Regenerate ``src/citebrief/templates/reference.docx``, the reference document that gives DOCX
output its Word styles. A developer tool, not part of the package; run it from the repository root
after changing a style below (needs the test extra, for python-docx):

    .venv/bin/python tests/make_reference_docx.py            # rewrite the template
    .venv/bin/python tests/make_reference_docx.py --check    # exit 1 if the template is not what this makes

Starts from pandoc's own reference document (so every style pandoc uses exists) and sets the
house look: serif body, sans headings, and the citebrief styles "Limitation" (character),
"Limitation Block", "Checked", "Disclaimer" and "Flagged List" (paragraph).
``tests/test_reference_docx.py`` fails while the committed template differs from what this makes.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from citebrief.tools import pandoc_path

TEMPLATE = Path(__file__).resolve().parents[1] / "src" / "citebrief" / "templates" / "reference.docx"

BODY_FONT = "Georgia"
SANS_FONT = "Arial"


def build() -> bytes:
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    base = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                          capture_output=True, check=True).stdout
    doc = Document(io.BytesIO(base))
    styles = doc.styles
    ink, muted = RGBColor(0x1D, 0x1F, 0x21), RGBColor(0x5A, 0x5F, 0x66)

    def shade(style, fill: str) -> None:
        ppr = style.element.get_or_add_pPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        ppr.append(shd)

    def left_border(style, color: str) -> None:
        ppr = style.element.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"), ("w:color", color)):
            left.set(qn(k), v)
        bdr.append(left)
        ppr.append(bdr)

    def para_style(name: str, base_name: str = "Body Text"):
        try:
            return styles[name]
        except KeyError:
            s = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = styles[base_name]
            s.quick_style = True
            return s

    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        s = styles[name]
        s.font.name = BODY_FONT
        s.font.size = Pt(11)
        s.font.color.rgb = ink
    styles["Body Text"].paragraph_format.space_after = Pt(8)
    styles["Body Text"].paragraph_format.line_spacing = 1.2
    for level, size in ((1, 16), (2, 13), (3, 11.5), (4, 11)):
        s = styles[f"Heading {level}"]
        s.font.name = SANS_FONT
        s.font.size = Pt(size)
        s.font.bold = True
        s.font.color.rgb = ink
        s.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        s.paragraph_format.space_after = Pt(6)
    title = styles["Title"]
    title.font.name, title.font.size, title.font.bold, title.font.color.rgb = SANS_FONT, Pt(24), True, ink
    subtitle = styles["Subtitle"]
    subtitle.font.name, subtitle.font.size, subtitle.font.italic = BODY_FONT, Pt(14), True
    subtitle.font.color.rgb = muted
    for name in ("Hyperlink",):
        styles[name].font.color.rgb = RGBColor(0x1A, 0x4F, 0x8B)

    checked = para_style("Checked")
    checked.font.name, checked.font.size, checked.font.bold = SANS_FONT, Pt(10), True
    checked.paragraph_format.space_before = Pt(6)
    disclaimer = para_style("Disclaimer")
    disclaimer.font.size = Pt(10)
    disclaimer.font.color.rgb = RGBColor(0x33, 0x36, 0x3A)
    shade(disclaimer, "F4F1EA")
    left_border(disclaimer, "8A1C1C")
    block = para_style("Limitation Block")
    shade(block, "FDF0C2")
    left_border(block, "D9A400")
    flagged = para_style("Flagged List", "Compact")
    flagged.font.size = Pt(10)
    shade(flagged, "F4F1EA")
    bib = para_style("Bibliography")
    bib.font.size = Pt(10)

    try:
        lim = styles["Limitation"]
    except KeyError:
        lim = styles.add_style("Limitation", WD_STYLE_TYPE.CHARACTER)
    lim.font.highlight_color = WD_COLOR_INDEX.YELLOW
    lim.font.color.rgb = RGBColor(0x5A, 0x3A, 0x00)
    lim.quick_style = True
    doc.core_properties.title = "citebrief reference document"
    doc.core_properties.author = "citebrief"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def styles_xml(docx: bytes) -> bytes:
    """The part that holds every style (what DOCX output takes from the reference document)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return zf.read("word/styles.xml")


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
