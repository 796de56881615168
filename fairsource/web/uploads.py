"""A workbook uploaded through the web (the upload page, the vendor portal, the API) taken in: read with a cap,
then read, scored, its SOW written and stored (`usecases.intake_one`), each step audited. The routes run it in
the intake pool (`deps.in_pool(web.intakes, ...)`)."""

import datetime as dt

from fastapi import UploadFile

from fairsource.accounts import PortalVendor
from flows import usecases
from supplier_models import WorkbookRejected, read_workbook
from supplier_models.errors import Problem, UploadTooLarge, WrongVendor
from supplier_models.names import upload_name
from supplier_models.workbooks.reader import MAX_FILE_BYTES

from .deps import WebState

MAX_UPLOAD = MAX_FILE_BYTES  # the reader's own limit: 20 MB
MAX_UPLOAD_FILES = 10  # workbooks per upload on the upload page, each up to MAX_UPLOAD


def read_capped(upload: UploadFile) -> bytes:
    """The uploaded file, read in chunks: refused as soon as it passes 20 MB."""
    data = bytearray()
    while chunk := upload.file.read(1024 * 1024):
        data += chunk
        if len(data) > MAX_UPLOAD:
            raise UploadTooLarge(MAX_UPLOAD)
    return bytes(data)


def intake_upload(web: WebState, upload: UploadFile, *, actor: str, vendor: PortalVendor | None
                  ) -> usecases.Outcome | list[Problem]:
    """Read, score, write the SOW, store; or every problem of a rejected workbook. A vendor's upload
    must be its own questionnaire."""
    store = web.store
    data = read_capped(upload)
    filename = upload_name(upload.filename)
    try:
        submission = read_workbook(filename, data=data, limits=web.zip_limits)  # the name is a label only
    except WorkbookRejected as exc:
        store.audit.record("upload_rejected", actor=actor, vendor_id=vendor.vendor_id if vendor else None,
                    subject=filename, detail={"problems": len(exc.problems)})
        return exc.problems
    if vendor is not None and submission.vendor_name != vendor.vendor:
        store.audit.record("upload_refused_wrong_vendor", actor=actor, vendor_id=vendor.vendor_id, subject=filename)
        raise WrongVendor(f'This questionnaire was issued to another vendor. Upload the form of '
                          f'"{vendor.vendor}", downloaded from this page.')
    # its audit event written in the intake's own transaction, with who sent it
    return usecases.intake_one(submission, store, web.inputs, dt.date.today(), web.settings.sow_dir, actor=actor,
                               audit="web_intake")
