"""Contest import and export: files of rounds and questions, in JSON or CSV.

An import is all or nothing. The whole file is parsed and validated before anything is
written, every bad round, question or row is reported with its line, and only a clean
file reaches `contest_import`, which creates everything in one transaction through the
same services the rounds and questions endpoints use. Export writes exactly the import
formats, so a contest exported and imported again has the same definitions.

- `common`: limits, the validation both formats share, and the error shape.
- `json_format`, `csv_format`: reading (with line numbers) and, for CSV, writing.
- `service`: the import service and the exports.
"""

from .common import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_QUESTIONS,
    MAX_IMPORT_ROUNDS,
    ExportNeedsJson,
    RoundPlan,
)
from .service import (
    ImportFormat,
    ImportResult,
    contest_export_csv,
    contest_export_json,
    contest_import,
    contest_import_file,
    import_parse,
)

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_QUESTIONS",
    "MAX_IMPORT_ROUNDS",
    "ExportNeedsJson",
    "ImportFormat",
    "ImportResult",
    "RoundPlan",
    "contest_export_csv",
    "contest_export_json",
    "contest_import",
    "contest_import_file",
    "import_parse",
]
