"""The gettext workflow: extract -> update -> (translate) -> compile, and status.

Three domains under ``translations/``: ``messages`` (the respondents' interface,
from the code and templates), ``questionnaires`` (the texts of questionnaires/*.yaml,
with a context per questionnaire and question) and ``staff`` (the staff area:
``survey/admin``, ``survey/distribution``, ``survey/documents``, ``survey/maps``,
``templates/staff`` and the paper feature's staff pages). Staff texts have
their own domain so that they never decide which languages respondents are offered. Services take paths, so the
CLI, the app's start-up and the tests call the same functions.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAINS = ("messages", "questionnaires", "staff")
#: where the staff area's texts live (relative to the package); the rest is "messages"
STAFF_SOURCES = (
    "admin/**",
    "distribution/**",
    "documents/**",
    "maps/**",
    "reports/blueprint.py",
    "reports/templates/**",
    "templates/staff/**",
    "paper/blueprint.py",
    "paper/templates/**",
)
#: the staff domain's name in coverage and ``survey i18n status``
STAFF_PART = "staff-area"
SOURCE = "de"
#: The languages Mitwirken ships, besides the German source. Kurmanji is "ku":
#: Babel reads "kmr" as ku_TR and Flask-Babel ignores a folder named "kmr".
LANGUAGES = ("en", "tr", "ar", "uk", "ru", "pl", "bg", "ro", "ku", "fa")
#: A fixed date keeps extraction reproducible: the same sources give the same file.
TEMPLATE_DATE = datetime(2026, 1, 1, tzinfo=UTC)
REVIEW_NOTE = (
    "Machine-assisted translation: a review by a native speaker is recommended before "
    "use in the field."
)
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "N_": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "count_message": (1, 2),
    "lazy_count_message": (1, 2),
}


@dataclass(frozen=True)
class Paths:
    package: Path  #: survey/
    questionnaires: Path  #: questionnaires/
    translations: Path  #: translations/

    def template(self, domain: str) -> Path:
        return self.translations / f"{domain}.pot"

    def po(self, language: str, domain: str) -> Path:
        return self.translations / language / "LC_MESSAGES" / f"{domain}.po"

    def languages(self) -> list[str]:
        return (
            sorted(p.name for p in self.translations.iterdir() if (p / "LC_MESSAGES").is_dir())
            if self.translations.is_dir()
            else []
        )


def paths_for(app) -> Paths:
    return Paths(
        package=Path(app.root_path),
        questionnaires=Path(app.config["QUESTIONNAIRE_DIR"]),
        translations=Path(app.config["TRANSLATIONS_DIR"]),
    )


def _template(domain: str, messages: Iterable) -> Catalog:
    catalog = Catalog(
        project="Mitwirken",
        version="1",
        creation_date=TEMPLATE_DATE,
        revision_date=TEMPLATE_DATE,
        charset="utf-8",
        fuzzy=False,
        header_comment=f"# Mitwirken: {domain} (template; do not translate here).",
    )
    for filename, lineno, message, comments, context in messages:
        catalog.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    return catalog


def extract(paths: Paths) -> dict[str, int]:
    """Write ``messages.pot`` and ``questionnaires.pot``; returns the number of messages."""
    ui = extract_from_dir(
        str(paths.package),
        method_map=[
            *((pattern, "ignore") for pattern in STAFF_SOURCES),
            ("**.py", "python"),
            ("**/templates/**.html", "jinja2.ext:babel_extract"),
        ],
        keywords=KEYWORDS,
        comment_tags=("translators:",),
        strip_comment_tags=True,
    )
    staff = extract_from_dir(
        str(paths.package),
        method_map=[
            ("admin/**.py", "python"),
            ("distribution/**.py", "python"),
            ("documents/**.py", "python"),
            ("maps/**.py", "python"),
            ("admin/templates/**.html", "jinja2.ext:babel_extract"),
            ("distribution/templates/**.html", "jinja2.ext:babel_extract"),
            ("reports/blueprint.py", "python"),
            ("reports/templates/**.html", "jinja2.ext:babel_extract"),
            ("paper/blueprint.py", "python"),
            ("paper/templates/**.html", "jinja2.ext:babel_extract"),
            ("documents/templates/**.html", "jinja2.ext:babel_extract"),
            ("templates/staff/**.html", "jinja2.ext:babel_extract"),
        ],
        keywords=KEYWORDS,
        comment_tags=("translators:",),
        strip_comment_tags=True,
    )
    texts = extract_from_dir(
        str(paths.questionnaires),
        method_map=[
            ("themes.yaml", "ignore"),
            ("*.yaml", "survey.i18n.extract:extract_questionnaire"),
        ],
    )
    counts = {}
    for domain, messages, prefix in (
        ("messages", ui, "survey"),
        ("questionnaires", texts, "questionnaires"),
        ("staff", staff, "survey"),
    ):
        located = ((f"{prefix}/{f}", line, m, c, ctx) for f, line, m, c, ctx in messages)
        catalog = _template(domain, located)
        _write(paths.template(domain), catalog)
        counts[domain] = len(catalog)
    return counts


def stale_templates(paths: Paths) -> list[str]:
    """The domains whose .pot no longer matches the sources (someone forgot ``update``).

    Compares the messages (ids, contexts, plural forms, locations, flags, comments),
    not the bytes: the header carries the extraction tool's version, which says
    nothing about our sources.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        fresh = Paths(paths.package, paths.questionnaires, Path(scratch))
        extract(fresh)
        return [
            domain
            for domain in DOMAINS
            if not paths.template(domain).exists()
            or template_messages(paths.template(domain))
            != template_messages(fresh.template(domain))
        ]


def template_messages(path: Path) -> list[tuple]:
    """What a template says, in order, without its header."""
    return [
        (
            message.id,
            message.context,
            tuple(message.locations),
            tuple(sorted(message.flags)),
            tuple(message.auto_comments),
            tuple(message.user_comments),
        )
        for message in _read(path)
        if message.id
    ]


def language_warnings(
    paths: Paths, questionnaire_ids: Iterable[str], threshold: float
) -> list[str]:
    """One line per questionnaire and language that will not be offered, and why."""
    warnings = [
        f"translations/{domain}.pot is out of date: run `survey i18n update`"
        for domain in stale_templates(paths)
    ]
    for language in paths.languages():
        covered = coverage(paths, language)
        for part in ("ui", *questionnaire_ids):
            cov = covered.get(part)
            if cov is None or cov.share >= threshold:
                continue
            what = "the user interface" if part == "ui" else part
            warnings.append(
                f"{language}: {what} is {cov.share:.0%} translated ({cov.fuzzy} fuzzy, "
                f"{cov.missing} missing): not offered in {language}"
            )
    return warnings


def init(paths: Paths, language: str) -> list[Path]:
    """Start the catalogs of a new language from the templates."""
    Locale.parse(language)  # refuses what Babel does not know
    written = []
    for domain in DOMAINS:
        target = paths.po(language, domain)
        if target.exists():
            continue
        _init_domain(paths, language, domain)
        written.append(target)
    return written


def _init_domain(paths: Paths, language: str, domain: str) -> None:
    template = _read(paths.template(domain))
    catalog = Catalog(
        locale=language,  # the plural forms come from the locale
        project="Mitwirken",
        version="1",
        creation_date=TEMPLATE_DATE,
        revision_date=TEMPLATE_DATE,
        fuzzy=False,
        header_comment=f"# Mitwirken: {domain} in {language}.\n# {REVIEW_NOTE}",
    )
    for message in template:
        if message.id:
            plural = isinstance(message.id, tuple)
            catalog.add(
                message.id,
                ("",) * catalog.num_plurals if plural else "",
                locations=message.locations,
                flags=message.flags,
                auto_comments=message.auto_comments,
                context=message.context,
            )
    # Every domain of a language must count plurals alike: Flask-Babel merges the
    # domains and keeps one plural rule for all of them.
    ui = paths.po(language, "messages")
    if domain != "messages" and ui.exists():
        rules = _read(ui, language)
        catalog._num_plurals, catalog._plural_expr = rules.num_plurals, rules.plural_expr
    _write(paths.po(language, domain), catalog)


def update(paths: Paths) -> list[Path]:
    """Merge the templates into every language's catalogs; changed texts become fuzzy."""
    written = []
    for language in paths.languages():
        for domain in DOMAINS:
            target = paths.po(language, domain)
            if not target.exists():  # a domain newer than the language's catalogs
                _init_domain(paths, language, domain)
            catalog = _read(target, language)
            catalog.update(_read(paths.template(domain)), update_header_comment=False)
            _write(target, catalog)
            written.append(target)
    return written


def compile_catalogs(paths: Paths, force: bool = False) -> list[Path]:
    """Write a ``.mo`` beside each ``.po`` that is newer than it (fuzzy entries left out)."""
    written = []
    for language in paths.languages():
        for domain in DOMAINS:
            source = paths.po(language, domain)
            target = source.with_suffix(".mo")
            if not source.exists():
                continue
            if not force and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
                continue
            catalog = _read(source, language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            target.write_bytes(buffer.getvalue())
            written.append(target)
    return written


@dataclass(frozen=True)
class Coverage:
    total: int
    translated: int
    fuzzy: int

    @property
    def missing(self) -> int:
        return self.total - self.translated - self.fuzzy

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(paths: Paths, language: str) -> dict[str, Coverage]:
    """Per part ("ui", then each questionnaire id): how much of the template is translated."""
    parts: dict[str, list[int]] = {}
    for domain in DOMAINS:
        template = _read(paths.template(domain))
        po_path = paths.po(language, domain)
        po = _read(po_path, language) if po_path.exists() else Catalog(locale=language)
        for message in template:
            if not message.id:
                continue
            if domain == "questionnaires":
                part = str(message.context).split(":")[0]
            else:
                # not "staff": that is the id of the staff questionnaire
                part = "ui" if domain == "messages" else STAFF_PART
            counts = parts.setdefault(part, [0, 0, 0])
            counts[0] += 1
            found = po.get(message.id, message.context)
            if found is None or not _filled(found.string):
                continue
            counts[2 if found.fuzzy else 1] += 1
    return {part: Coverage(*counts) for part, counts in parts.items()}


def _filled(string) -> bool:
    if isinstance(string, tuple | list):
        return all(s for s in string)
    return bool(string)


def _read(path: Path, language: str | None = None) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=language)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, include_previous=True)
    data = buffer.getvalue()
    if not path.exists() or path.read_bytes() != data:  # untouched files keep their mtime
        path.write_bytes(data)
