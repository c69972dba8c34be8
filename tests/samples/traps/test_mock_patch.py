"""``mock.patch`` decorators inject mocks as the first positional arguments;
pytest does not treat those as fixtures. ``new=`` and ``patch.dict`` inject
nothing."""

import json
import os
import shutil
from unittest import mock
from unittest.mock import patch


@mock.patch("os.getcwd", return_value="/srv/shop")
@mock.patch.object(os.path, "isdir")
def test_patched_arguments_come_first(mock_isdir, mock_getcwd, tmp_path):
    mock_isdir.return_value = True
    assert os.getcwd() == "/srv/shop"
    assert os.path.isdir("/definitely/not/here")
    assert tmp_path.name


@patch("json.dumps", new=lambda obj: "patched")
def test_patch_with_new_injects_nothing(tmp_path):
    assert json.dumps({}) == "patched"


@mock.patch.dict(os.environ, {"SHOP_MODE": "test"})
def test_patch_dict_injects_nothing(monkeypatch):
    assert os.environ["SHOP_MODE"] == "test"


class TestPatchedMethod:
    @patch("shutil.which", return_value="/usr/bin/psql")
    def test_method_patch(self, mock_which, tmp_path):
        assert shutil.which("psql") == "/usr/bin/psql"
        mock_which.assert_called_once_with("psql")
