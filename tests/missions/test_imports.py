"""Reading and checking participant lists: encodings, delimiters, XLSX, hostile files."""

import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from missions.enums import ParticipantRole
from missions.imports import MAX_ROWS, ImportFileError, check_rows, read_table
from tests.factories import MissionFactory, OrganisationFactory, ParticipantFactory, PersonFactory

HEADER = "full_name,email,organisation,role\n"


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def values(table) -> list[dict]:
    return [row["values"] for row in table.rows]


def refusal(content: bytes, name: str = "people.csv") -> str:
    with pytest.raises(ImportFileError) as error:
        read_table(upload(content, name))
    return error.value.message


# READING -------------------------------------------------------------------------


def test_read_table_utf8_with_bom_reads_umlauts_and_strips_the_bom():
    content = "\ufeffFull_Name,EMAIL\nJana Müller,jana@example.org\n".encode()

    table = read_table(upload(content))

    assert values(table) == [{"full_name": "Jana Müller", "email": "jana@example.org"}]
    assert table.rows[0]["number"] == 2


def test_read_table_cp1252_from_excel_on_windows_reads_mueller():
    content = "Name;E-Mail;Organisation\r\nJörg Müller;joerg@example.org;Stadt Leipzig\r\n"

    table = read_table(upload(content.encode("cp1252")))

    assert values(table) == [
        {"full_name": "Jörg Müller", "email": "joerg@example.org", "organisation": "Stadt Leipzig"}
    ]


def test_read_table_semicolon_csv_with_german_headers_maps_every_column():
    content = (
        "Name;E-Mail;Organisation;Funktion;Rolle;Sprache;Ernährung;Barrierefreiheit;Telefon\n"
        "Anna Schmidt;anna@example.org;Kreatives Leipzig;Leiterin;Delegationsmitglied;Deutsch;"
        "vegan;Rollstuhl;+49 341 1234\n"
    )

    table = read_table(upload(content.encode()))

    assert values(table) == [
        {
            "full_name": "Anna Schmidt",
            "email": "anna@example.org",
            "organisation": "Kreatives Leipzig",
            "job_title": "Leiterin",
            "role": "Delegationsmitglied",
            "preferred_language": "Deutsch",
            "dietary_requirements": "vegan",
            "accessibility_needs": "Rollstuhl",
            "phone": "+49 341 1234",
        }
    ]


def test_read_table_xlsx_built_with_openpyxl_reads_text_and_numbers():
    content = xlsx(
        [
            ["Full name", "E-mail", "Phone", "Job title"],
            ["Sam Patel", "sam@example.org", 441215550123, None],
            [None, None, None, None],
            ["Lena Vogel", "lena@example.org", None, "Producer"],
        ]
    )

    table = read_table(upload(content, "people.xlsx"))

    assert [(row["number"], row["values"]) for row in table.rows] == [
        (
            2,
            {
                "full_name": "Sam Patel",
                "email": "sam@example.org",
                "phone": "441215550123",
                "job_title": "",
            },
        ),
        (
            4,
            {
                "full_name": "Lena Vogel",
                "email": "lena@example.org",
                "phone": "",
                "job_title": "Producer",
            },
        ),
    ]


def test_read_table_names_the_columns_it_ignores():
    table = read_table(upload(b"name,email,Shoe size\nAda,ada@example.org,38\n"))

    assert table.ignored_headers == ["Shoe size"]
    assert values(table) == [{"full_name": "Ada", "email": "ada@example.org"}]


def test_read_table_short_row_fills_missing_cells_with_blanks():
    table = read_table(upload(b"name,email,organisation\nAda\n"))

    assert values(table) == [{"full_name": "Ada", "email": "", "organisation": ""}]


def test_read_table_keeps_a_10000_character_cell_for_the_row_check():
    table = read_table(upload(HEADER.encode() + b"x" * 10_000 + b",a@example.org,,\n"))

    assert len(table.rows[0]["values"]["full_name"]) == 10_000


def test_read_table_comma_only_csv_is_refused_clearly():
    assert refusal(b",,,\n,,,\n,,,\n") == "The file has no data: every cell is empty."


def test_read_table_empty_file_is_refused_clearly():
    assert refusal(b"") == "The file is empty."


def test_read_table_whitespace_only_file_is_refused_clearly():
    assert refusal(b" \r\n\r\n") == "The file is empty."


def test_read_table_binary_file_is_refused_clearly():
    message = refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200), "photo.csv")

    assert message == "This does not look like a CSV or Excel (.xlsx) file."


def test_read_table_control_characters_are_refused_as_binary():
    assert refusal(b"name,email\n\x01\x02\x03,a@example.org\n") == (
        "This does not look like a CSV or Excel (.xlsx) file."
    )


def test_read_table_zip_that_is_not_a_workbook_is_refused_clearly():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    message = refusal(out.getvalue(), "people.xlsx")

    assert message == "The Excel file cannot be read. Save it again as .xlsx or CSV."


def test_read_table_truncated_zip_is_refused_clearly():
    assert refusal(b"PK\x03\x04" + b"\x00" * 50, "people.xlsx") == (
        "This does not look like a CSV or Excel (.xlsx) file."
    )


def test_read_table_old_excel_file_asks_for_xlsx_or_csv():
    message = refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "people.xls")

    assert message == "Old Excel files (.xls) cannot be read. Save the list as .xlsx or CSV."


def test_read_table_without_email_column_names_what_is_missing():
    message = refusal(b"Name,Company\nAda,Acme\n")

    assert message == "The first row must name the columns. Missing: E-mail. Found: Name, Company."


def test_read_table_with_two_email_columns_is_refused():
    message = refusal(b"name,email,E-Mail\nAda,a@example.org,b@example.org\n")

    assert message == "Two columns hold the same thing (E-mail); keep one of them."


def test_read_table_header_without_rows_is_refused():
    assert refusal(b"name,email\n\n,\n") == "The file has a header row but no participants."


def test_read_table_more_than_the_row_limit_is_refused():
    rows = "".join(f"P{n},p{n}@example.org\n" for n in range(MAX_ROWS + 1))

    message = refusal(("name,email\n" + rows).encode())

    assert message == "The file has more than 2000 participants. Split it into smaller files."


def test_read_table_at_the_row_limit_is_read():
    rows = "".join(f"P{n},p{n}@example.org\n" for n in range(MAX_ROWS))

    assert len(read_table(upload(("name,email\n" + rows).encode())).rows) == MAX_ROWS


def test_read_table_with_too_many_blank_lines_is_refused_without_reading_them_all():
    content = b"name,email\n" + b"\n" * 30_000 + b"Ada,ada@example.org\n"

    assert refusal(content) == (
        "The file has more than 20000 rows, blank ones included. "
        "Remove the blank rows or split the file."
    )


def test_read_table_xlsx_claiming_a_huge_size_reads_only_its_cells():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "email"])
    sheet.append(["Ada", "ada@example.org"])
    sheet["XFD1"] = "Far away"
    out = io.BytesIO()
    workbook.save(out)

    table = read_table(upload(out.getvalue(), "people.xlsx"))

    assert values(table) == [{"full_name": "Ada", "email": "ada@example.org"}]


def test_read_table_larger_than_2_mb_is_refused():
    content = b"name,email\n" + b"a" * (2 * 1024 * 1024)

    assert refusal(content) == "The file is larger than 2 MB. Split the list into smaller files."


def test_read_table_cell_beyond_the_csv_field_limit_is_refused_clearly():
    content = b'name,email\n"' + b"x" * 200_000 + b'",a@example.org\n'

    assert refusal(content).startswith("The CSV file cannot be read near line")


# CHECKING ------------------------------------------------------------------------


def rows(*records: dict) -> list[dict]:
    return [{"number": n, "values": values} for n, values in enumerate(records, start=2)]


@pytest.fixture
def mission(db):
    return MissionFactory()


def test_check_rows_valid_row_is_ready_as_delegate_in_english(mission):
    [row] = check_rows(mission=mission, rows=rows({"full_name": "Ada", "email": "a@example.org"}))

    assert (row.errors, row.notes, row.role, row.language) == ([], [], "delegate", "en")


def test_check_rows_reports_missing_name_and_invalid_email(mission):
    [row] = check_rows(mission=mission, rows=rows({"full_name": "", "email": "not-an-address"}))

    assert row.errors == ["Name is missing.", "The e-mail address is not valid."]


def test_check_rows_reports_missing_email(mission):
    [row] = check_rows(mission=mission, rows=rows({"full_name": "Ada", "email": ""}))

    assert row.errors == ["E-mail is missing."]


def test_check_rows_reports_unknown_role_with_the_choices(mission):
    [row] = check_rows(
        mission=mission, rows=rows({"full_name": "Ada", "email": "a@example.org", "role": "Boss"})
    )

    assert row.errors == [
        "Unknown role “Boss”. Use one of: Delegation lead, Delegate, Speaker, Host, "
        "Organiser, Interpreter, Press."
    ]


@pytest.mark.parametrize(
    ("given", "role"),
    [
        ("speaker", ParticipantRole.SPEAKER),
        ("SPEAKER", ParticipantRole.SPEAKER),
        ("Delegation lead", ParticipantRole.LEAD),
        ("Referent/in", ParticipantRole.SPEAKER),
        ("dolmetscher/in", ParticipantRole.INTERPRETER),
    ],
)
def test_check_rows_role_by_value_or_english_or_german_label(mission, given, role):
    [row] = check_rows(
        mission=mission, rows=rows({"full_name": "Ada", "email": "a@example.org", "role": given})
    )

    assert (row.errors, row.role) == ([], role)


def test_check_rows_language_by_label_in_german(mission):
    [row] = check_rows(
        mission=mission,
        rows=rows({"full_name": "Ada", "email": "a@example.org", "preferred_language": "Deutsch"}),
    )

    assert (row.errors, row.language) == ([], "de")


def test_check_rows_unknown_language_is_an_error(mission):
    [row] = check_rows(
        mission=mission,
        rows=rows({"full_name": "Ada", "email": "a@example.org", "preferred_language": "Klingon"}),
    )

    assert row.errors == ["Unknown language “Klingon”. Use one of: English, German."]


def test_check_rows_10000_character_name_is_too_long(mission):
    [row] = check_rows(mission=mission, rows=rows({"full_name": "x" * 10_000, "email": "a@b.org"}))

    assert row.errors == ["Name is too long: 10000 characters, at most 200."]


def test_check_rows_duplicate_email_in_the_file_whatever_the_case(mission):
    checked = check_rows(
        mission=mission,
        rows=rows(
            {"full_name": "Ada", "email": "ada@example.org"},
            {"full_name": "Bea", "email": "bea@example.org"},
            {"full_name": "Ada again", "email": "ADA@Example.org"},
        ),
    )

    assert [row.errors for row in checked] == [[], [], ["Same e-mail as row 2."]]


def test_check_rows_person_already_on_the_mission_is_an_error(mission):
    ParticipantFactory(
        mission=mission, person=PersonFactory(full_name="Ada Lovelace", email="ada@example.org")
    )

    [row] = check_rows(mission=mission, rows=rows({"full_name": "A L", "email": "Ada@Example.ORG"}))

    assert row.errors == ["Ada Lovelace (ada@example.org) already takes part in this mission."]


def test_check_rows_person_in_the_directory_is_reused_with_a_note(mission):
    person = PersonFactory(full_name="Ada Lovelace", email="ada@example.org")
    ParticipantFactory(person=person)  # on another mission: no matter

    [row] = check_rows(mission=mission, rows=rows({"full_name": "A L", "email": "ADA@example.org"}))

    assert (row.errors, row.person) == ([], person)
    assert row.notes == ["Already in the directory as Ada Lovelace: their entry is kept as it is."]


def test_check_rows_organisation_by_name_or_short_name_whatever_the_case(mission):
    bcu = OrganisationFactory(name="Birmingham City University", short_name="BCU")

    checked = check_rows(
        mission=mission,
        rows=rows(
            {
                "full_name": "Ada",
                "email": "a@example.org",
                "organisation": "birmingham city UNIVERSITY",
            },
            {"full_name": "Bea", "email": "b@example.org", "organisation": "bcu"},
        ),
    )

    assert [(row.errors, row.notes, row.organisation) for row in checked] == [
        ([], [], bcu),
        ([], [], bcu),
    ]


def test_check_rows_unknown_organisation_leaves_it_blank_with_a_note(mission):
    [row] = check_rows(
        mission=mission,
        rows=rows({"full_name": "Ada", "email": "a@example.org", "organisation": "Acme"}),
    )

    assert (row.errors, row.organisation) == ([], None)
    assert row.notes == ["Organisation “Acme” is not in the directory: imported without one."]


def test_check_rows_ambiguous_organisation_leaves_it_blank_with_a_note(mission):
    OrganisationFactory(name="Chamber of Commerce", city="Birmingham")
    OrganisationFactory(name="Chamber of Commerce", city="Leipzig")

    [row] = check_rows(
        mission=mission,
        rows=rows(
            {"full_name": "Ada", "email": "a@example.org", "organisation": "Chamber of Commerce"}
        ),
    )

    assert row.organisation is None
    assert row.notes == [
        "Several organisations are called “Chamber of Commerce”: imported without one."
    ]


def test_check_rows_right_to_left_text_and_emoji_are_accepted(mission):
    [row] = check_rows(
        mission=mission, rows=rows({"full_name": "مريم الحسن 🎭", "email": "maryam@example.org"})
    )

    assert row.errors == []


def test_check_rows_uses_two_queries_whatever_the_number_of_rows(
    mission, django_assert_max_num_queries
):
    OrganisationFactory(name="Kreatives Leipzig")
    many = rows(
        *(
            {
                "full_name": f"P{n}",
                "email": f"p{n}@example.org",
                "organisation": "Kreatives Leipzig",
            }
            for n in range(500)
        )
    )

    with django_assert_max_num_queries(2):
        checked = check_rows(mission=mission, rows=many)

    assert len(checked) == 500
