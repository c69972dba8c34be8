"""Rootdir and ini options found as pytest finds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import DEFAULT_NORECURSEDIRS, ConfigError, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\npython_files = check_*.py\n  spec_*.py\n"),
        (
            "pyproject.toml",
            '[tool.pytest.ini_options]\npython_files = ["check_*.py", "spec_*.py"]\n',
        ),
        (
            "pyproject.toml",
            '[tool.pytest]\npython_files = ["check_*.py", "spec_*.py"]\n',
        ),
        ("tox.ini", "[pytest]\npython_files = check_*.py spec_*.py\n"),
        ("setup.cfg", "[tool:pytest]\npython_files = check_*.py spec_*.py\n"),
        ("pytest.toml", '[pytest]\npython_files = ["check_*.py", "spec_*.py"]\n'),
    ],
)
def test_every_config_file_kind(tmp_path, name, text):
    write(tmp_path / name, text)
    tests = tmp_path / "tests" / "deep"
    tests.mkdir(parents=True)
    config = load_config([tests], invocation_dir=tmp_path)
    assert config.rootdir == tmp_path.resolve()
    assert config.inifile == (tmp_path / name).resolve()
    assert config.pytest.python_files == ("check_*.py", "spec_*.py")
    assert config.pytest.norecursedirs == DEFAULT_NORECURSEDIRS


def test_pyproject_without_pytest_table_is_rootdir_only_when_nothing_else(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "sub" / "tox.ini", "[tox]\n")
    config = load_config([tmp_path / "sub"], invocation_dir=tmp_path)
    assert config.rootdir == tmp_path.resolve()
    assert config.pytest.python_files == ("test_*.py", "*_test.py")


def test_auditor_table(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.test-auditor]\nexclude = ["legacy"]\n')
    config = load_config([tmp_path], invocation_dir=tmp_path)
    assert config.auditor.exclude == ("legacy",)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", "[tool.pytest.ini_options\n"),
        ("pytest.ini", "no section header\n"),
        ("setup.cfg", "[tool:pytest\n"),
        ("pyproject.toml", '[tool.test-auditor]\nexclude = "not a list"\n'),
    ],
)
def test_broken_config_is_a_config_error(tmp_path, name, text):
    write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        load_config([tmp_path], invocation_dir=tmp_path)
    assert name in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config([tmp_path], invocation_dir=tmp_path, config_file=tmp_path / "nope.ini")


def test_profile_thresholds_with_units(tmp_path):
    write(
        tmp_path / "pyproject.toml",
        "[tool.test-auditor]\ntiers = ['unit', 'integration', 'performance']\n"
        "[tool.test-auditor.profile]\n"
        'slow = "500ms"\nslow-fixture = 3\nheavy = "1.5GB"\nstatements = 80\n'
        'slow-tier = "performance"\n',
    )
    profile = load_config([tmp_path], invocation_dir=tmp_path).auditor.profile
    assert (profile.slow, profile.slow_fixture) == (0.5, 3.0)
    assert profile.heavy_kb == round(1.5 * 1024 * 1024)
    assert (profile.statements, profile.slow_tier) == (80, "performance")


def test_profile_defaults(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.test-auditor]\n")
    profile = load_config([tmp_path], invocation_dir=tmp_path).auditor.profile
    assert (profile.slow, profile.slow_fixture, profile.heavy_kb) == (1.0, 2.0, 100 * 1024)
    assert (profile.statements, profile.slow_tier) == (50, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('slow = "fast"', "slow must be a duration"),
        ('slow = "3 weeks"', "slow must be a duration"),
        ('heavy = "-4MB"', "heavy must be a size"),
        ("statements = 0", "statements must be a whole number"),
        ('slow-tier = "e2e"', "slow-tier 'e2e' is not one of the tiers"),
        ("slowness = 1", "unknown keys: slowness"),
    ],
)
def test_bad_profile_thresholds_are_config_errors(tmp_path, text, message):
    write(tmp_path / "pyproject.toml", f"[tool.test-auditor.profile]\n{text}\n")
    with pytest.raises(ConfigError, match=message):
        load_config([tmp_path], invocation_dir=tmp_path)
