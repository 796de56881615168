"""The Excel workbooks: the questionnaire form a vendor fills in (`form`) and its reader (`reader`), the
organisation's policy workbook (`policy_workbook`), the portfolio report (`portfolio`) and the example vendors'
filled-in forms (`examples`). Every workbook we write is read back by `openpyxl` in the tests."""
