"""``handouts init DIR``: everything a new clinic edits to print its own handouts."""

from __future__ import annotations

import shutil
from pathlib import Path

from handouts.errors import HandoutsError

CLINIC = """\
# Your clinic: printed in the header and footer of every handout.
name: {name}
# logo: logo.png            # PNG or JPEG, relative to this file (printed on page one)
colors: {{primary: "#146ea0", accent: "#f0781e"}}   # used for headings, bands and ticks
phone: "(555) 010-2030"
email: frontdesk@example.org
website: https://example.org
address: 12 Mill Lane, Springfield
footer: This program was prescribed for you. Stop and call us if you feel sharp pain.
booking_url: https://example.org/book   # printed as a QR code at the end
"""

LAYOUT = """\
# Your house style. It starts from the bundled 'standard' layout; change only what differs.
# Run 'handouts layouts' to see the others (compact, large-print, tracker).
extends: standard
description: {name}'s handout
paper: letter                 # letter or a4
# sizes: {{body: 12, heading: 16, title: 24}}
# colors: {{primary: "#2a7d4f"}}      # default: the clinic file's colours
# sections: [notes, intro, exercises, tips, mistakes, safety, booking, tracking]
# pictures: true
# tracking: {{style: week, box: 14, pain: true, notes: true}}
"""

PLAN = """\
# One patient's handout: handouts make plan.yaml -o jane.pdf
patient: Jane Doe
therapist: Alex Kim, PT
clinic: clinic.yaml
library: exercises.yaml
layout: my-clinic              # layouts/my-clinic.yaml beside this file
exercises:
  - bird-dog
  - id: glute-bridge
    sets: 3
    reps: 12
    notes: Pause for a breath at the top.
  - cat-cow
  - hip-hinge
tips: all                      # all, none, or a list of tip ids
mistakes: all
weeks: 2                       # tracking sheets, 0 to 52
notes: Call us if the pain spreads below the knee.
"""

ROSTER = """\
patient,exercises,program,weeks,notes
Jane Doe,bird-dog;glute-bridge;cat-cow,,2,Call us if the pain spreads below the knee.
Sam Lee,,core-starter,2,
Maria Garcia,cat-cow;childs-pose;hip-flexor-stretch,,1,Gentle week: stop if it hurts.
"""


def init_clinic(folder: Path, name: str = "My Clinic", force: bool = False) -> list[Path]:
    """Write the starter files into folder; refuses to replace a file unless force."""
    from handouts.loading import default_library_path

    files = {
        folder / "clinic.yaml": CLINIC.format(name=_yaml_text(name)),
        folder / "layouts" / "my-clinic.yaml": LAYOUT.format(name=name.replace("\n", " ")),
        folder / "plan.yaml": PLAN,
        folder / "roster.csv": ROSTER,
    }
    library = folder / "exercises.yaml"
    existing = [p for p in [*files, library] if p.exists()]
    if existing and not force:
        raise HandoutsError(
            "already exists; nothing was written",
            file=str(existing[0]),
            hint="use --force to replace the starter files",
        )
    (folder / "layouts").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    shutil.copyfile(default_library_path(), library)
    return [library, *files]


def _yaml_text(text: str) -> str:
    """A YAML double-quoted string for a clinic's name."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'
