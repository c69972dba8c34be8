"""One `Report` built from the analyses (`auditor.report.contents`), many renderers: the
terminal (rich), JSON, SARIF and the `check` line formats. Import the module you need:
renderers for `check` must not pay for the graph the audit report needs."""
