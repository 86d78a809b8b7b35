"""The same 8-exercise handout, written the plain way with stock reportlab (the baseline).

What a competent developer would write without any of handouts' tricks: the texts are read
from exercises.yaml with yaml.safe_load, laid out with platypus (SimpleDocTemplate, Paragraphs,
Tables) in Helvetica, one tracking table per week with a stock
``canvas.acroForm.checkbox(...)`` per day and exercise (112 boxes for 8 exercises and 2
weeks), a running header, and a footer with the page number. No illustrations.

    python bench/straight_reportlab.py -o out.pdf                 # one handout
    python bench/straight_reportlab.py --roster roster.csv -o DIR # one PDF per row, in turn

A roster is the CSV `handouts batch` reads (patient, date, exercises as 'id;id', weeks).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "exercises.yaml"
CLINIC = ROOT / "src" / "handouts" / "data" / "clinic.yaml"
EXERCISES = [
    "bird-dog",
    "glute-bridge",
    "dead-bug",
    "side-plank",
    "cat-cow",
    "squat",
    "hip-hinge",
    "childs-pose",
]
SIDES = {"alternate": "alternate sides", "each": "each side", "both": "both sides"}

PRIMARY = colors.HexColor("#146ea0")
ACCENT = colors.HexColor("#c25400")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#c8c8c8")
SHADE = colors.HexColor("#f3f6f9")
BAND = colors.HexColor("#dcebf3")

_base = getSampleStyleSheet()
BODY = ParagraphStyle(
    "body", _base["Normal"], fontName="Helvetica", fontSize=11, leading=14.5, spaceAfter=4
)
SMALL = ParagraphStyle("small", BODY, fontSize=9, leading=11.5, textColor=MUTED, spaceAfter=0)
STEP = ParagraphStyle("step", BODY, leftIndent=18, bulletIndent=4, spaceAfter=2)
PURPOSE = ParagraphStyle("purpose", BODY, fontName="Helvetica-Oblique")
DOSAGE = ParagraphStyle("dosage", BODY, fontName="Helvetica-Bold", textColor=PRIMARY)
H1 = ParagraphStyle(
    "h1",
    BODY,
    fontName="Helvetica-Bold",
    fontSize=22,
    leading=26,
    alignment=TA_RIGHT,
    textColor=PRIMARY,
)
H2 = ParagraphStyle(
    "h2",
    BODY,
    fontName="Helvetica-Bold",
    fontSize=15,
    leading=19,
    textColor=PRIMARY,
    spaceBefore=8,
    spaceAfter=6,
)
CARD = ParagraphStyle(
    "card", BODY, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceAfter=0
)
CLINIC_NAME = ParagraphStyle(
    "clinic",
    BODY,
    fontName="Helvetica-Bold",
    fontSize=15,
    leading=19,
    textColor=PRIMARY,
    spaceAfter=0,
)
CELL = ParagraphStyle("cell", BODY, fontSize=10, leading=12, spaceAfter=0)
DINGBAT = ParagraphStyle("dingbat", STEP, bulletFontName="ZapfDingbats")  # ✔ and ✘ bullets


def load_content(library: Path = LIBRARY, clinic: Path = CLINIC) -> dict:
    """The library and the clinic, read once."""
    with open(library, encoding="utf-8") as f:
        lib = yaml.safe_load(f)
    with open(clinic, encoding="utf-8") as f:
        clin = yaml.safe_load(f)
    return {"library": lib, "clinic": clin, "exercises": {e["id"]: e for e in lib["exercises"]}}


def dosage_line(d: dict) -> str:
    parts = []
    sets, reps = d.get("sets"), d.get("reps")
    if sets and reps:
        parts.append(
            f"{sets} {'set' if sets == 1 else 'sets'} × {reps} {'rep' if reps == 1 else 'reps'}"
        )
    elif sets:
        parts.append(f"{sets} {'set' if sets == 1 else 'sets'}")
    elif reps:
        parts.append(f"{reps} {'rep' if reps == 1 else 'reps'}")
    if d.get("hold"):
        parts.append(f"hold {d['hold']}")
    if d.get("sides") in SIDES:
        parts.append(SIDES[d["sides"]])
    if d.get("frequency"):
        parts.append(d["frequency"])
    return " · ".join(parts)


class CheckBox(Flowable):
    """A fillable checkbox in a table cell: reportlab's stock acroForm checkbox."""

    def __init__(self, name: str, size: float = 14) -> None:
        super().__init__()
        self.name, self.size = name, size
        self.width = self.height = size

    def draw(self):
        self.canv.acroForm.checkbox(
            name=self.name,
            x=0,
            y=0,
            size=self.size,
            relative=True,
            buttonStyle="check",
            borderColor=colors.black,
            fillColor=colors.white,
            textColor=PRIMARY,
            borderWidth=0.8,
            forceBorder=True,
        )


def _long_date(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def story(
    content: dict, patient: str, date: dt.date, exercise_ids: list[str], weeks: int, width: float
) -> list:
    lib, clinic, exercises = content["library"], content["clinic"], content["exercises"]
    guidance = lib["guidance"]
    out: list = []

    # Title block: clinic and contact on the left, the title on the right, then the patient.
    contact = " · ".join(
        x for x in (clinic.get("phone"), clinic.get("email"), clinic.get("website")) if x
    )
    left = [
        Paragraph(escape(clinic["name"]), CLINIC_NAME),
        Paragraph(escape(clinic.get("address", "")) + "<br/>" + escape(contact), SMALL),
    ]
    head = Table(
        [[left, Paragraph("Home Exercise Program", H1)]], colWidths=[width * 0.5, width * 0.5]
    )
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    who = Table(
        [
            [
                Paragraph(
                    f"<font color='#555555'>Patient</font><br/><b>{escape(patient)}</b>", BODY
                ),
                Paragraph(f"<font color='#555555'>Date</font><br/><b>{_long_date(date)}</b>", BODY),
            ]
        ],
        colWidths=[width * 0.6, width * 0.4],
    )
    who.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, PRIMARY),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#e8f0f6")),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    out += [head, Spacer(1, 10), who, Spacer(1, 14)]

    # Intro: the home-program guidance, '- ' lines as bullets.
    for line in guidance["home-program"].strip().split("\n"):
        if line.startswith("- "):
            out.append(Paragraph(escape(line[2:]), STEP, bulletText="•"))
        elif line.strip():
            out.append(Paragraph(escape(line), BODY))

    # Exercise cards.
    out.append(Paragraph("Your Exercises", H2))
    for n, ex_id in enumerate(exercise_ids, start=1):
        ex = exercises[ex_id]
        band = Table(
            [[Paragraph(f"{n}.&nbsp;&nbsp;{escape(ex['name'])}", CARD)]], colWidths=[width]
        )
        band.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), BAND),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        card: list = [band, Spacer(1, 4), Paragraph(escape(ex["purpose"]), PURPOSE)]
        if ex.get("dosage"):
            card.append(Paragraph(escape(dosage_line(ex["dosage"])), DOSAGE))
        for i, step in enumerate(ex["steps"], start=1):
            card.append(Paragraph(escape(step), STEP, bulletText=f"{i}."))
        if ex.get("areas"):
            card.append(Paragraph(f"<b>{escape(ex['areas']['title'])}:</b>", BODY))
            card += [Paragraph(escape(a), STEP, bulletText="•") for a in ex["areas"]["items"]]
        for tip in ex.get("tips", []):
            card.append(
                Paragraph(f"<font color='#c25400'><b>Pro tip:</b></font> {escape(tip)}", BODY)
            )
        for caution in ex.get("cautions", []):
            card.append(Paragraph(f"<b>Caution:</b> {escape(caution)}", BODY))
        out += [KeepTogether(card), Spacer(1, 10)]

    # Habits, mistakes, the safety line, booking.
    lines = [x for x in guidance["ergonomics"].split("\n") if x.strip()]
    habits = [Paragraph("Smart Ergonomic Habits", H2), Paragraph(escape(lines[0]), BODY)]
    habits += [Paragraph(escape(t["text"]), DINGBAT, bulletText="4") for t in lib["tips"]]
    habits += [Paragraph(escape(x), BODY) for x in lines[1:]]
    out += [KeepTogether(habits), Spacer(1, 6)]
    mistakes = [Paragraph("Common Mistakes to Avoid", H2)]
    mistakes += [
        Paragraph(f"<b>{escape(m['title'])}</b> {escape(m['text'])}", DINGBAT, bulletText="8")
        for m in lib["mistakes"]
    ]
    out += [KeepTogether(mistakes), Spacer(1, 6)]
    safety = Table(
        [[Paragraph(f"<b>Listen to your body.</b> {escape(guidance['safety'])}", BODY)]],
        colWidths=[width],
    )
    safety.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fdeee3")),
                ("LINEBEFORE", (0, 0), (0, -1), 4, ACCENT),
            ]
        )
    )
    out += [safety, Spacer(1, 8)]
    if clinic.get("booking_url"):
        out.append(Paragraph(f"<b>Book your next visit:</b> {escape(clinic['booking_url'])}", BODY))

    # Tracking sheet: one table per week, a checkbox per exercise and day.
    intro = Paragraph(
        "Tick a box each day you do the exercise (with a pen, or tap it on a "
        "tablet). Rate your pain each day from 0 (none) to 10 (worst). Bring "
        "this sheet to your next visit.",
        BODY,
    )
    day_w = 48
    for week in range(1, weeks + 1):
        start = date + dt.timedelta(days=7 * (week - 1))
        end = start + dt.timedelta(days=6)
        days = [start + dt.timedelta(days=d) for d in range(7)]
        rows = [["Exercise"] + [f"{d:%a}\n{d:%b} {d.day}" for d in days]]
        for n, ex_id in enumerate(exercise_ids, start=1):
            rows.append(
                [Paragraph(f"{n}. {escape(exercises[ex_id]['name'])}", CELL)]
                + [CheckBox(f"w{week}-{n:02d}-{ex_id}-d{d + 1}") for d in range(7)]
            )
        rows.append(["Pain today (0–10)"] + ["____"] * 7)
        table = Table(rows, colWidths=[width - 7 * day_w] + [day_w] * 7, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), BAND),
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTNAME", (0, -1), (0, -1), "Helvetica-Bold"),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
                    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("TOPPADDING", (0, 1), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
                ]
            )
        )
        title = Paragraph(
            f"<b>Week {week}</b>  <font color='#555555'>·  {start:%a %b} "
            f"{start.day} – {end:%a %b} {end.day}, {end.year}</font>",
            BODY,
        )
        notes = Paragraph("<b>Notes:</b> " + "_" * 70, BODY)
        block = [title, table, Spacer(1, 6), notes]
        if week == 1:
            block = [Paragraph("Your Tracking Sheet", H2), intro, *block]
        out += [KeepTogether(block), Spacer(1, 16)]
    return out


def build_pdf(
    content: dict,
    patient: str = "Jane Doe",
    date: dt.date = dt.date(2026, 11, 25),
    exercise_ids: list[str] | None = None,
    weeks: int = 2,
) -> bytes:
    """One handout's PDF bytes."""
    exercise_ids = exercise_ids or EXERCISES
    clinic = content["clinic"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=54,
        rightMargin=54,
        topMargin=50,
        bottomMargin=60,
        title=f"Home Exercise Program: {patient}",
        author=clinic["name"],
        subject="Home exercise program",
    )
    running = f"{patient}  ·  Home Exercise Program  ·  {_long_date(date)}"

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(54, 46, LETTER[0] - 54, 46)
        canvas.drawString(54, 34, clinic.get("footer", ""))
        canvas.drawRightString(LETTER[0] - 54, 34, f"Page {doc.page}")
        canvas.restoreState()

    def later(canvas, doc):
        footer(canvas, doc)
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        canvas.drawString(54, LETTER[1] - 40, running)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.setFillColor(PRIMARY)
        canvas.drawRightString(LETTER[0] - 54, LETTER[1] - 40, clinic["name"])
        canvas.restoreState()

    doc.build(
        story(content, patient, date, exercise_ids, weeks, doc.width),
        onFirstPage=footer,
        onLaterPages=later,
    )
    return buffer.getvalue()


def safe_name(text: str) -> str:
    return re.sub(r"[^\w\-]+", "-", text).strip("-") or "patient"


def run_roster(content: dict, roster: Path, out_dir: Path) -> int:
    """Every row's handout, one after another; returns how many were written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(roster, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            date = dt.date.fromisoformat(row["date"]) if row.get("date") else dt.date.today()
            ids = [x.strip() for x in re.split(r"[;,]", row.get("exercises") or "") if x.strip()]
            pdf = build_pdf(content, row["patient"], date, ids or None, int(row.get("weeks") or 2))
            (out_dir / f"{safe_name(row['patient'])}-{date.isoformat()}.pdf").write_bytes(pdf)
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="the PDF (or, with --roster, the folder)"
    )
    parser.add_argument("--roster", type=Path, help="a roster CSV: one PDF per row, in turn")
    parser.add_argument("--patient", default="Jane Doe")
    parser.add_argument("--date", default="2026-11-25")
    parser.add_argument("--weeks", type=int, default=2)
    args = parser.parse_args(argv)
    content = load_content()
    if args.roster:
        started = time.perf_counter()
        n = run_roster(content, args.roster, args.output)
        print(f"wrote {n} handouts to {args.output} in {time.perf_counter() - started:.2f} s")
        return 0
    pdf = build_pdf(content, args.patient, dt.date.fromisoformat(args.date), EXERCISES, args.weeks)
    args.output.write_bytes(pdf)
    print(f"wrote {args.output} ({len(pdf)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
