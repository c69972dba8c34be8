"""End-to-end tests: the `test-auditor` command line on real suites built on disk."""
