"""A zip of one UTF-8 CSV per sheet, with a byte-order mark so that Excel reads it as UTF-8."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import IO

from .safe import csv_cell
from .workbook import Export, writing_order


def csv_name(sheet_name: str) -> str:
    return sheet_name.lower().replace(" (", "_").replace(")", "").replace(" ", "_") + ".csv"


def write_csv_zip(export: Export, out: IO[bytes]) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in writing_order(export.sheets):
            # Each column's type renders its cells (dates as ISO); extra cells as they are.
            render = [c.rule.csv for c in spec.columns]
            width = len(render)
            with archive.open(csv_name(spec.name), "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(spec.header)
                for row in spec.rows():
                    writer.writerow(
                        [csv_cell(render[i](v) if i < width else v) for i, v in enumerate(row)]
                    )
                text.flush()
                text.detach()
