"""The one CSV/XLSX writer every download uses keeps formula-like text as text."""

import csv
import io

from openpyxl import load_workbook

from feedback.spreadsheets import to_csv, to_xlsx

HEADER = ["=title", "số"]
ROWS = [["=HYPERLINK(\"http://x\")", 5], ["+84 912", -3], ["@cmd", 2.5], ["bình thường", 0]]


def test_csv_neutralises_formulas_and_keeps_diacritics():
    data = to_csv(HEADER, ROWS)
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
    assert rows == [["'=title", "số"], ["'=HYPERLINK(\"http://x\")", "5"], ["'+84 912", "-3"], ["'@cmd", "2.5"],
                    ["bình thường", "0"]]


def test_xlsx_neutralises_formulas_and_keeps_numbers():
    sheet = load_workbook(io.BytesIO(to_xlsx([("a" * 40, HEADER, ROWS)]))).active
    assert sheet.title == "a" * 31
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["'=title", "số"], ["'=HYPERLINK(\"http://x\")", 5], ["'+84 912", -3], ["'@cmd", 2.5], ["bình thường", 0]]
