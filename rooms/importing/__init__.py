"""Import and export, in JSON or CSV, of a contest's rounds and questions and of a
quizmaster's question bank.

An import is all or nothing. The whole file is parsed and validated before anything is
written, every bad round, question or row is reported with its line, and only a clean
file reaches the services, which create everything in one transaction (contests through
the same services the rounds and questions endpoints use). Export writes exactly the
import formats, so what is exported and imported again has the same definitions.

- `common`: limits, the validation every format shares, and the error shape.
- `json_common`, `csv_common`: decoding, line numbers, CSV headers and question cells,
  `|` lists: what the contest and bank formats share.
- `json_format`, `csv_format`: the contest formats; `bank_format`: the bank's.
- `service`: the import services and the exports.
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
    bank_export_csv,
    bank_export_json,
    bank_import_file,
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
    "bank_export_csv",
    "bank_export_json",
    "bank_import_file",
    "contest_export_csv",
    "contest_export_json",
    "contest_import",
    "contest_import_file",
    "import_parse",
]
