"""Fixture resolution details that the sample suites do not cover."""

from __future__ import annotations

from pathlib import Path

from auditor.analysis.resolution import resolve
from auditor.config import load_config
from auditor.model.build import BuildOptions, build_suite


def test_pytest_plugins_in_a_test_module_register_globally(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_a.py").write_text(
        'pytest_plugins = ["pytester"]\n\ndef test_uses(pytester):\n    pass\n'
    )
    config = load_config([tmp_path], invocation_dir=tmp_path)
    suite = build_suite(
        config, [tmp_path], invocation_dir=tmp_path, options=BuildOptions(use_cache=False)
    )
    resolution = resolve(suite)
    assert resolution.unknown == ()
    assert "pytester" in resolution.tests["test_a.py::test_uses"].names
