"""The rule catalog: one rule per module, in category folders (see auditor.api)."""
