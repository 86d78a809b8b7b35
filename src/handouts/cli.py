"""The command line: parse options, call one function, print. The only place that turns
errors into exit codes (0 done, 1 bad input, 2 wrong usage)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from handouts.errors import HandoutsError

app = typer.Typer(
    name="handouts",
    help="Print per-patient home exercise programs: exercise cards, habits, mistakes to avoid "
    "and a fillable tracking sheet.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

LibraryOpt = Annotated[
    Path | None,
    typer.Option(
        "--library", help="The exercise library (default: the bundled one).", show_default=False
    ),
]


LayoutOpt = Annotated[str | None, typer.Option(help="A layout name or a layout file.")]
PaperOpt = Annotated[str | None, typer.Option(help="letter or a4 (overrides the layout).")]
ClinicOpt = Annotated[Path | None, typer.Option(help="A clinic file (name, logo, colours).")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        max=64,
        show_default=False,
        help="Worker processes (default: the number of CPUs).",
    ),
]
NoPicturesOpt = Annotated[
    bool, typer.Option("--no-pictures", help="Leave out illustrations and photos.")
]


@contextmanager
def _user_errors():
    """Bad input becomes one line on stderr and exit code 1; never a traceback."""
    try:
        yield
    except HandoutsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was written", err=True)
        raise typer.Exit(130) from None


@app.command()
def make(
    plan: Annotated[
        Path | None,
        typer.Argument(
            help="A plan file (YAML) for one patient; options override it.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the PDF (default: handout-PATIENT-DATE.pdf).",
            show_default=False,
        ),
    ] = None,
    patient: Annotated[str | None, typer.Option(help="The patient's name.")] = None,
    exercise: Annotated[
        list[str] | None,
        typer.Option("--exercise", "-e", help="An exercise id; repeat for more, in order."),
    ] = None,
    program: Annotated[str | None, typer.Option(help="A program id from the library.")] = None,
    tips: Annotated[str | None, typer.Option(help="all, none, or tip ids: ID,ID")] = None,
    mistakes: Annotated[str | None, typer.Option(help="all, none, or mistake ids: ID,ID")] = None,
    weeks: Annotated[
        int | None, typer.Option(min=0, max=52, help="Weeks of tracking sheet, 0-52 (default 2).")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="The handout's date, YYYY-MM-DD (default today).")
    ] = None,
    therapist: Annotated[str | None, typer.Option(help="The therapist's name.")] = None,
    notes: Annotated[
        str | None, typer.Option(help="A note to the patient, printed near the top.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The handout's title.")] = None,
    layout: LayoutOpt = None,
    paper: PaperOpt = None,
    clinic: ClinicOpt = None,
    library: LibraryOpt = None,
    no_pictures: NoPicturesOpt = False,
) -> None:
    """Make one patient's handout."""
    with _user_errors():
        from handouts.make import HandoutRequest, make_handout

        request = HandoutRequest(
            plan=plan,
            patient=patient,
            exercises=exercise or None,
            program=program,
            tips=tips,
            mistakes=mistakes,
            weeks=weeks,
            date=date,
            therapist=therapist,
            notes=notes,
            title=title,
            layout=layout,
            paper=paper,
            clinic=clinic,
            library=library,
            pictures=not no_pictures,
        )
        made = make_handout(request, output)
        typer.echo(
            f"wrote {made.path} ({made.pages} {'page' if made.pages == 1 else 'pages'}, "
            f"{made.checkboxes} checkboxes)"
        )


@app.command("list")
def list_(library: LibraryOpt = None) -> None:
    """List the library's exercises by category, with programs, tips and mistakes."""
    with _user_errors():
        from handouts.browse import library_listing
        from handouts.make import open_library

        lib, _ = open_library(library)
        typer.echo(library_listing(lib))


@app.command()
def show(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="An exercise or program id.")],
    library: LibraryOpt = None,
) -> None:
    """Show one exercise (or program) in full."""
    with _user_errors():
        from handouts.browse import describe
        from handouts.make import open_library

        lib, _ = open_library(library)
        typer.echo(describe(lib, exercise_id))


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Library, plan, roster, layout or clinic files (default: the bundled library).",
            show_default=False,
        ),
    ] = None,
    library: LibraryOpt = None,
) -> None:
    """Check files; exit 1 if any has an error."""
    from handouts.browse import validate_files

    failures = 0
    for line, ok in validate_files(files or [], library):
        if ok:
            typer.echo(line)
        else:
            failures += 1
            typer.echo(f"error: {line}", err=True)
    if failures:
        raise typer.Exit(1)


@app.command()
def layouts() -> None:
    """List the layouts there are, one line each."""
    with _user_errors():
        from handouts.browse import layout_listing

        typer.echo(layout_listing())


@app.command()
def batch(
    roster: Annotated[
        Path, typer.Argument(help="A roster: CSV with a header row, or a YAML list of plans.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder for the PDFs.")],
    name: Annotated[
        str, typer.Option(help="File name pattern: {patient} {date} {row} {program} {therapist}.")
    ] = "{patient}-{date}.pdf",
    jobs: JobsOpt = None,
    merge: Annotated[
        Path | None, typer.Option(help="Also write one PDF of the whole run, for one print job.")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Encrypt each patient's file with this password (AES-256).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace files a previous run wrote (default: add -2, -3, ...).")
    ] = False,
    layout: Annotated[str | None, typer.Option(help="A layout for rows that name none.")] = None,
    paper: PaperOpt = None,
    clinic: ClinicOpt = None,
    library: LibraryOpt = None,
    no_pictures: NoPicturesOpt = False,
) -> None:
    """Make one handout per roster row, in parallel."""
    with _user_errors():
        from handouts.batch import BatchSettings, run_batch
        from handouts.progress import Progress

        if merge is not None and merge.suffix.lower() != ".pdf":
            raise HandoutsError("the merged file name must end in .pdf", file=str(merge))
        settings = BatchSettings(
            out_dir=output,
            library=library,
            clinic=clinic,
            layout=layout,
            paper=paper,
            pictures=not no_pictures,
            password=password,
            field_prefix=merge is not None,
        )
        with Progress(sys.stderr) as progress:
            try:
                report = run_batch(
                    roster,
                    settings,
                    pattern=name,
                    jobs=jobs,
                    overwrite=overwrite,
                    on_result=progress.update,
                )
            except KeyboardInterrupt:
                typer.echo(
                    f"\ninterrupted: {progress.written} finished handouts are in "
                    f"{output}; no half-written file was left",
                    err=True,
                )
                raise typer.Exit(130) from None
        if merge is not None and report.written:
            from handouts.files import write_atomic
            from handouts.finishing import merge as merge_pdfs

            write_atomic(merge, merge_pdfs([r.path for r in report.written], password))
            typer.echo(f"merged {len(report.written)} handouts into {merge}")
        for failed in report.failed:
            typer.echo(f"error: {failed.error}", err=True)
        typer.echo(f"{len(report.written)} written to {output}, {len(report.failed)} failed")
        if report.failed:
            raise typer.Exit(1)


@app.command("library")
def library_(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The folder for library.pdf and exercises/<id>.pdf."),
    ],
    jobs: JobsOpt = None,
    layout: LayoutOpt = None,
    paper: PaperOpt = None,
    clinic: ClinicOpt = None,
    library: LibraryOpt = None,
    no_pictures: NoPicturesOpt = False,
) -> None:
    """The whole library: a booklet and a ready-to-print sheet per exercise."""
    with _user_errors():
        from handouts.booklet import export_library
        from handouts.progress import Progress

        with Progress(sys.stderr, label="sheets") as progress:
            report = export_library(
                output,
                library=library,
                clinic=clinic,
                layout=layout,
                paper=paper,
                pictures=not no_pictures,
                jobs=jobs,
                on_progress=progress.count,
            )
        typer.echo(
            f"wrote {report.booklet} ({report.pages} pages) and {report.sheets} sheets "
            f"in {report.sheets_dir}"
        )


importer = typer.Typer(help="Turn a public exercise data set into a library.", no_args_is_help=True)
app.add_typer(importer, name="import")


@importer.command("free-exercise-db")
def import_free_exercise_db(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="JSON", help="The data set's exercises.json (photos are read beside it)."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder for exercises.yaml and images/.")
    ],
    no_photos: Annotated[bool, typer.Option("--no-photos", help="Do not copy photos.")] = False,
) -> None:
    """Convert the public-domain Free Exercise DB into a handouts library."""
    with _user_errors():
        from handouts.importer import import_free_exercise_db as run_import

        report = run_import(source, output, photos=not no_photos)
        for line in report.summary_lines():
            typer.echo(line)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The folder for your clinic's files.")],
    name: Annotated[str, typer.Option(help="Your clinic's name.")] = "My Clinic",
    force: Annotated[bool, typer.Option(help="Replace starter files that exist.")] = False,
) -> None:
    """Start a clinic folder: clinic file, layout, library copy, sample plan and roster."""
    with _user_errors():
        from handouts.init import init_clinic

        written = init_clinic(folder, name, force)
        for path in written:
            typer.echo(f"wrote {path}")
        typer.echo(
            f"next: edit {folder / 'clinic.yaml'}, then run\n"
            f"  cd {folder} && handouts make plan.yaml -o jane.pdf"
        )


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `handouts list | head`
        sys.stderr.close()
        sys.exit(0)
