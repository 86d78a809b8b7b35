"""The README is the set-up story: its commands must be the ones CI runs and the CLI has."""

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from handouts.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    return [blocks[0].strip(), blocks[1].strip()]


def test_readme_opens_with_install_and_test_commands():
    install, tests = _setup_commands()
    assert "pip install ." in install and "handouts make" in install and "-o sample.pdf" in install
    assert 'pip install -e ".[test]"' in tests and "pytest" in tests
    assert README.index(install) < README.index("## ")  # before any other section


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, tests = _setup_commands()
    assert tests in ci.splitlines()


def test_every_command_is_documented_in_the_readme():
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(commands) >= 8
    for name in commands:
        assert f"handouts {name}" in README, f"'handouts {name}' is not in the README"
    assert "handouts import free-exercise-db" in README


def test_every_command_has_help():
    runner = CliRunner()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_readme_sample_command_makes_the_sample_handout(tmp_path):
    install, _ = _setup_commands()
    make = install.split("&&")[-1].strip()
    args = make.split(" ", 1)[1]  # drop the path to the installed script
    out = tmp_path / "sample.pdf"
    argv = re.findall(r'"[^"]*"|\S+', args)
    argv = [a.strip('"') for a in argv]
    argv[argv.index("-o") + 1] = str(out)
    done = subprocess.run(
        [sys.executable, "-m", "handouts", *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    from pypdf import PdfReader

    text = PdfReader(out).pages[0].extract_text()
    assert "Jane Q. Doe" in text and "Bird-Dog" in text


def test_readme_picture_exists():
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert pictures
    for picture in pictures:
        assert (ROOT / picture).is_file(), picture
