"""File downloads from the API (CSV results and exports)."""

from __future__ import annotations

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

# Spreadsheet programs read a CSV as UTF-8 only when it starts with a byte order mark;
# without it, accented team names come out garbled. Our CSV import accepts the mark.
UTF8_BOM = "\ufeff"


class CsvDownloadView(APIView):
    """A view whose success is a CSV file: `Accept: text/csv` must not be refused with 406
    (DRF only knows its JSON renderer); errors are still JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        return super().perform_content_negotiation(request, force=True)


def csv_attachment(body: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(UTF8_BOM + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
