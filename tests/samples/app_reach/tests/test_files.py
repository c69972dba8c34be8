from pathlib import Path


def test_project_is_named():
    with open("pyproject.toml") as handle:
        assert "app-reach" in handle.read()


def test_readme_has_a_title():
    readme = Path(__file__).parents[1] / "README.md"
    assert readme.read_text().startswith("#")


def test_writes_only_to_tmp(tmp_path):
    (tmp_path / "out.txt").write_text("x")
    assert (tmp_path / "out.txt").read_text() == "x"
