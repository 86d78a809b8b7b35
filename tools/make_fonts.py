"""Rebuild the bundled fonts: DejaVu faces cut down to the scripts a clinic's text uses.

Parsing a full DejaVu face costs reportlab ~25 ms per process; these subsets parse in a few
ms and still cover Latin (with Vietnamese), Greek, Cyrillic and common punctuation/symbols.
Run: python tools/make_fonts.py /usr/share/fonts/truetype/dejavu   (needs fonttools)
"""

import sys
from pathlib import Path

from fontTools import subset

RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x024F),  # Latin, Latin-1, Latin Extended-A/B
    (0x0259, 0x0259),
    (0x02B0, 0x02FF),  # schwa, spacing modifiers
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),
    (0x0400, 0x052F),  # Greek, Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),  # punctuation, currency
    (0x2100, 0x214F),
    (0x2150, 0x218F),  # letterlike, number forms (½ ⅓)
    (0x2190, 0x21FF),
    (0x2212, 0x2212),  # arrows, minus
    (0x2264, 0x2265),
    (0x25A0, 0x25FF),  # ≤ ≥, geometric shapes
    (0x2713, 0x2714),
    (0x2717, 0x2718),  # check and cross marks
]
FACES = {
    "DejaVuSans.ttf": "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf": "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf": "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf": "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf": "DejaVuSerif-Italic.ttf",
}


def main(source: Path) -> None:
    out = Path(__file__).resolve().parents[1] / "src" / "handouts" / "fonts"
    unicodes = [u for lo, hi in RANGES for u in range(lo, hi + 1)]
    for src_name, dst_name in FACES.items():
        options = subset.Options()
        options.layout_features = ["kern", "liga"]
        options.hinting = False  # print output: hinting only adds bytes
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(source / src_name), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        subset.save_font(font, str(out / dst_name), options)
        print(dst_name, (out / dst_name).stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/dejavu"))
