"""One libcst transform per module, named verb_object. Each is a
`VisitorBasedCodemodCommand` configured only by keyword arguments, targets code by
qualified name (never by line number, so several fixes in one file do not disturb each
other), raises `SkipFile` when its target is gone, and is idempotent."""
