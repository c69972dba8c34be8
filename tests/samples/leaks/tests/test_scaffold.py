import os
from pathlib import Path

from leakapp import cli


def test_init_creates_project_skeleton(tmp_path):
    os.chdir(tmp_path)
    cli.init_project(name="demo")
    assert Path("leakapp.toml").read_text().startswith("[project]")
    assert Path("exports").is_dir()
