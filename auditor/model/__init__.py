"""The suite as pytest would collect it, read without importing it: which files, how their
imports resolve, the installed plugins read as source, the collected tests and fixtures."""
