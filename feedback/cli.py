"""App-wide commands: demo data and translations."""

import json
import subprocess
import tempfile
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def init_app(app):
    app.cli.add_command(demo_command)
    app.cli.add_command(translate)


@click.command("demo")
def demo_command():
    """Load the demo province, clusters and accounts (safe to run again)."""
    from feedback import demo

    for line in demo.seed():
        click.echo(line)


@click.group()
def translate():
    """Extract, update, compile and fill the translation catalogues."""


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate.command("update")
def translate_update():
    """Extract messages from the code and merge them into the vi and en catalogues."""
    from feedback import translations

    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", str(pot), ".")
        for locale in ("vi", "en"):
            with translations.locked(locale, load=False):
                if translations.catalogue_path(locale).exists():
                    _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching")
                else:
                    _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", locale)
    translations.fill_english()


@translate.command("compile")
def translate_compile():
    """Compile the catalogues into .mo files (done at install and start)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate.command("missing")
@click.option("--locale", default="vi", show_default=True)
def translate_missing(locale):
    """Print the untranslated messages as a JSON object to fill in and pass to `apply`."""
    from feedback import translations

    click.echo(json.dumps(translations.missing(locale), ensure_ascii=False, indent=1))


@translate.command("apply")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--locale", default="vi", show_default=True)
def translate_apply(file, locale):
    """Fill translations from a JSON object {msgid: translation} (plural: a list of forms)."""
    from feedback import translations

    count = translations.apply(json.load(file), locale)
    click.echo(f"filled {count} messages")

