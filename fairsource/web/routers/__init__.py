"""The web app's routes, one router per area, included by `create_app` in this order (the order the routes are
matched in):

    health     GET /healthz, for probes (the only route outside /api in the API document)
    auth       signing in and out
    dashboard  the analysts' dashboard
    invites    vendors' portal links: made, mailed, shown once, revoked after a confirmation
    vendors    the vendor list, a vendor's page, reviews, closing remediations, SOW downloads
    admin      the audit log
    users      staff users, for admins: added, roles, disabled, reset links, API tokens, sessions
    account    one's own password; the page of a password-reset link
    workbooks  the upload page (workbooks received by e-mail, several at once), the portfolio workbook
    portal     a vendor's portal: its page, its form, its upload
    api        the JSON API under /api/ (bearer tokens)

and, after them, `docs.add_docs`: /openapi.json and /docs (Swagger UI served by the app), as FAIRSOURCE_WEB_DOCS says.
"""
