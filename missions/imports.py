"""Reading and checking a participant list uploaded as CSV or XLSX.

Two steps, neither of which writes anything:

- `read_table(upload)` turns the file into rows of text keyed by our column names, or
  raises `ImportFileError` with a message for the user (empty, binary, too large, too
  many rows, no header with name and e-mail columns).
- `check_rows(mission=..., rows=...)` checks every row against the file itself, the
  directory and the mission, and returns one `ImportRow` per row with its errors and
  notes. `missions.services.participants.participants_import` runs it again on
  confirmation, inside the transaction that writes.

Decisions:

- Text is UTF-8 (with or without BOM), else Windows-1252 (a CSV saved by Excel on
  Windows). The delimiter is whichever of comma, semicolon or tab the header row has
  most of (German Excel writes semicolons).
- Headers are matched case-insensitively, ignoring spaces, hyphens and underscores, in
  English or German ("E-Mail", "Funktion", "Ernährung"). Other columns are ignored and
  named on the preview.
- A person already in the directory (same e-mail, any case) is reused as they are: the
  file does not overwrite their directory entry.
- An organisation is matched by name or short name, case-insensitively. When none
  matches, or several do, the row is imported without an organisation and the preview
  says so. The directory is not extended from a file: a CSV has no city, country or
  kind to create an organisation from, and a typo would add a near-duplicate.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from missions.enums import ParticipantRole
from missions.models import Mission, Participant
from organisations.enums import Language
from organisations.models import Organisation, Person

MAX_FILE_BYTES = 2 * 1024 * 1024
# What a form that posts one file of MAX_FILE_BYTES adds around it (multipart headers,
# the CSRF token): a request body announced larger cannot hold an acceptable file.
MAX_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
MAX_ROWS = 2000
MAX_RECORDS = 10 * MAX_ROWS  # blank lines included, so that a million of them stay cheap
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # an XLSX is a zip: refuse zip bombs before parsing

COLUMNS = (
    "full_name",
    "email",
    "organisation",
    "job_title",
    "role",
    "preferred_language",
    "dietary_requirements",
    "accessibility_needs",
    "phone",
)
REQUIRED = ("full_name", "email")
COLUMN_LABELS = {
    "full_name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail"),
    "organisation": gettext_lazy("Organisation"),
    "job_title": gettext_lazy("Job title"),
    "role": gettext_lazy("Role"),
    "preferred_language": gettext_lazy("Language"),
    "dietary_requirements": gettext_lazy("Dietary requirements"),
    "accessibility_needs": gettext_lazy("Accessibility needs"),
    "phone": gettext_lazy("Phone"),
}

# Header names as users write them, in the form `header_key` gives them.
HEADER_ALIASES = {
    "full_name": ["fullname", "name", "vollständigername", "vollername"],
    "email": ["email", "emailaddress", "emailadresse", "mail"],
    "organisation": ["organisation", "organization", "company", "firma", "institution"],
    "job_title": ["jobtitle", "position", "funktion", "jobbezeichnung"],
    "role": ["role", "rolle"],
    "preferred_language": ["preferredlanguage", "language", "sprache"],
    "dietary_requirements": [
        "dietaryrequirements",
        "dietary",
        "diet",
        "ernährung",
        "ernaehrung",
        "ernährungshinweise",
    ],
    "accessibility_needs": ["accessibilityneeds", "accessibility", "barrierefreiheit"],
    "phone": ["phone", "phonenumber", "telephone", "telefon", "telefonnummer", "tel", "mobile"],
}
HEADERS = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


class ImportFileError(Exception):
    """The file cannot be read as a participant list; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """What a file holds: its rows as text by column, and the headers we did not use."""

    rows: list[dict]  # {"number": spreadsheet row, "values": {column: text}}
    columns: list[str]
    ignored_headers: list[str]


# READING -------------------------------------------------------------------------


def read_table(upload: UploadedFile) -> Table:
    """The rows of an uploaded CSV or XLSX file, or ImportFileError."""
    return _table(records_read(upload))


def records_read(upload: UploadedFile) -> Iterator[list[str]]:
    """The records (lists of cells, as text) of an uploaded CSV or XLSX file, read with
    the checks of a participant list (size, emptiness, old Excel, encodings, delimiter),
    for other imports of a mission's file (matchmaking profiles); or ImportFileError."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(too_large_message())
    upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(too_large_message())
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or (upload.name or "").lower().endswith(".xls"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Save the list as .xlsx or CSV.")
        )
    return _csv_records(_decode(data))


def too_large_message() -> str:
    return _("The file is larger than %(limit)d MB. Split the list into smaller files.") % {
        "limit": MAX_FILE_BYTES // (1024 * 1024)
    }


def _not_a_table() -> str:
    return _("This does not look like a CSV or Excel (.xlsx) file.")


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportFileError(_not_a_table())
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            raise ImportFileError(_not_a_table())
        return text
    raise ImportFileError(_not_a_table())


def _csv_records(text: str) -> Iterator[list[str]]:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read near line %(line)d (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from error


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(_not_a_table()) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(too_large_message())
    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a declared size of A1:XFD1048576 must not pad every row
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in row]
    # openpyxl raises many kinds of exception on a damaged or hostile workbook
    # (KeyError, ValueError, XML errors...); to the user they all mean the same.
    except Exception as error:
        raise ImportFileError(
            _("The Excel file cannot be read. Save it again as .xlsx or CSV.")
        ) from error
    finally:
        if workbook is not None:
            workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed into Excel come back as 4412155501.0
    return str(value)


def header_key(header: str) -> str:
    """A column's header as it is matched: case, spaces, hyphens, underscores, dots and a
    BOM ignored (`E-Mail`, `e_mail` and `email` are one)."""
    return re.sub(r"[\s_\-.]+", "", header.strip().lstrip("\ufeff").casefold())


def _table(records: Iterable[list[str]]) -> Table:
    numbered = enumerate(records, start=1)  # row numbers as the spreadsheet shows them
    header = next((record for _row, record in numbered if any(c.strip() for c in record)), None)
    if header is None:
        raise ImportFileError(_("The file has no data: every cell is empty."))
    positions, ignored = {}, []
    for position, name in enumerate(header):
        column = HEADERS.get(header_key(name))
        if column is None:
            if name.strip() and len(ignored) < 20:
                ignored.append(Truncator(name.strip()).chars(50))
        elif column in positions:
            raise ImportFileError(
                _("Two columns hold the same thing (%(column)s); keep one of them.")
                % {"column": COLUMN_LABELS[column]}
            )
        else:
            positions[column] = position
    missing = [str(COLUMN_LABELS[column]) for column in REQUIRED if column not in positions]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns. Missing: %(missing)s. Found: %(found)s.")
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(
                    Truncator(h.strip()).chars(50) for h in header[:MAX_COLUMNS] if h.strip()
                )
                or "–",
            }
        )
    rows = []
    for number, record in numbered:
        if number > MAX_RECORDS:
            raise ImportFileError(
                _("The file has more than %(limit)d rows, blank ones included. Remove the blank "
                  "rows or split the file.")
                % {"limit": MAX_RECORDS}
            )  # fmt: skip
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) == MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)d participants. Split it into smaller files.")
                % {"limit": MAX_ROWS}
            )
        values = {
            column: (record[position].strip() if position < len(record) else "")
            for column, position in positions.items()
        }
        rows.append({"number": number, "values": values})
    if not rows:
        raise ImportFileError(_("The file has a header row but no participants."))
    return Table(rows=rows, columns=list(positions), ignored_headers=ignored)


# CHECKING ------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One row of the file, checked: ready to import when it has no errors."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    role: str = ParticipantRole.DELEGATE
    language: str = Language.ENGLISH
    person: Person | None = None
    organisation: Organisation | None = None

    @property
    def is_ready(self) -> bool:
        return not self.errors

    def value(self, column: str) -> str:
        return self.values.get(column, "")

    def as_stored(self) -> dict:
        """What the session keeps between preview and confirmation: text only."""
        return {"number": self.number, "values": self.values}


def check_rows(*, mission: Mission, rows: list[dict]) -> list[ImportRow]:
    """Every row with its errors and notes; two queries whatever the number of rows."""
    checked = [ImportRow(number=row["number"], values=dict(row["values"])) for row in rows]
    roles, languages = _choice_lookup(ParticipantRole), _choice_lookup(Language)
    for row in checked:
        _check_fields(row, roles=roles, languages=languages)
    _check_duplicate_emails(checked)
    _match_people(mission, checked)
    _match_organisations(checked)
    return checked


# What the row tells this mission, kept on its participant; the rest is the directory's.
PARTICIPANT_COLUMNS = ("dietary_requirements", "accessibility_needs", "phone")
_LENGTHS = {
    column: (Participant if column in PARTICIPANT_COLUMNS else Person)
    ._meta.get_field(column)
    .max_length
    for column in COLUMNS
    if column not in ("organisation", "role", "preferred_language")
}
_email_validator = EmailValidator()


def _choice_lookup(choices: type) -> dict[str, str]:
    """Values and their English and German labels, case-folded, to the value."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        for language in ("en", "de"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


def _check_fields(row: ImportRow, *, roles: dict[str, str], languages: dict[str, str]) -> None:
    if not row.value("full_name"):
        row.errors.append(_("Name is missing."))
    email = row.value("email")
    if not email:
        row.errors.append(_("E-mail is missing."))
    elif len(email) <= _LENGTHS["email"]:
        try:
            _email_validator(email)
        except ValidationError:
            row.errors.append(_("The e-mail address is not valid."))
    for column, limit in _LENGTHS.items():
        length = len(row.value(column))
        if length > limit:
            row.errors.append(
                _("%(column)s is too long: %(length)d characters, at most %(limit)d.")
                % {"column": COLUMN_LABELS[column], "length": length, "limit": limit}
            )
    role = row.value("role")
    if role:
        if role.casefold() in roles:
            row.role = roles[role.casefold()]
        else:
            row.errors.append(
                _("Unknown role “%(value)s”. Use one of: %(roles)s.")
                % {
                    "value": Truncator(role).chars(40),
                    "roles": ", ".join(str(label) for label in ParticipantRole.labels),
                }
            )
    language = row.value("preferred_language")
    if language:
        if language.casefold() in languages:
            row.language = languages[language.casefold()]
        else:
            row.errors.append(
                _("Unknown language “%(value)s”. Use one of: %(languages)s.")
                % {
                    "value": Truncator(language).chars(40),
                    "languages": ", ".join(str(label) for label in Language.labels),
                }
            )


def _check_duplicate_emails(rows: list[ImportRow]) -> None:
    first_row = {}
    for row in rows:
        email = row.value("email").lower()
        if not email:
            continue
        if email in first_row:
            row.errors.append(_("Same e-mail as row %(row)d.") % {"row": first_row[email]})
        else:
            first_row[email] = row.number


def _match_people(mission: Mission, rows: list[ImportRow]) -> None:
    emails = {row.value("email").lower() for row in rows if row.value("email")}
    if not emails:
        return
    people = (
        Person.objects.annotate(
            email_lower=Lower("email"),
            on_mission=Exists(Participant.objects.filter(mission=mission, person=OuterRef("pk"))),
        )
        .filter(email_lower__in=emails)
        .select_related("organisation")
    )
    by_email = {person.email_lower: person for person in people}
    for row in rows:
        person = by_email.get(row.value("email").lower())
        if person is None:
            continue
        row.person = person
        if person.on_mission:
            row.errors.append(
                _("%(name)s (%(email)s) already takes part in this mission.")
                % {"name": person.full_name, "email": person.email}
            )
        else:
            row.notes.append(
                _("Already in the directory as %(name)s: their entry is kept as it is.")
                % {"name": person.full_name}
            )


def _match_organisations(rows: list[ImportRow]) -> None:
    names = {
        row.value("organisation").lower()
        for row in rows
        if row.person is None and row.value("organisation")
    }
    if not names:
        return
    found: dict[str, list[Organisation]] = {}
    organisations = Organisation.objects.annotate(
        name_lower=Lower("name"), short_lower=Lower("short_name")
    ).filter(Q(name_lower__in=names) | Q(short_lower__in=names))
    for organisation in organisations:
        for key in {organisation.name.lower(), organisation.short_name.lower()}:
            if key in names:
                found.setdefault(key, []).append(organisation)
    for row in rows:
        name = row.value("organisation")
        if row.person is not None or not name:
            continue
        matches = found.get(name.lower(), [])
        if len(matches) == 1:
            row.organisation = matches[0]
        elif matches:
            row.notes.append(
                _("Several organisations are called “%(name)s”: imported without one.")
                % {"name": Truncator(name).chars(60)}
            )
        else:
            row.notes.append(
                _("Organisation “%(name)s” is not in the directory: imported without one.")
                % {"name": Truncator(name).chars(60)}
            )
