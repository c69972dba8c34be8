"""TA302 module-attribute-assignment."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import FileView, Finding, Invalid, Rule, SuiteView, Valid

from ._attributes import autouse_emptying, classify, may_assign, message, trailing_cleanup
from ._common import AnalysisCache, checked, restored_on_success
from ._mutations import is_cache_fill, is_mutation, reset_at_setup
from ._owned import OwnedModules

REGISTRY = (
    "class Registry:\n    def __init__(self):\n        self.items = set()\n\n"
    "    def add(self, item):\n        self.items.add(item)\n\n"
    "    def discard(self, item):\n        self.items.discard(item)\n\n"
    "plugins = Registry()\n\n"
    "class Store:\n    def __init__(self):\n        self.data = {}\n\n"
    "    def put(self, key, value):\n        self.data[key] = value\n\n"
    "    def get(self, key):\n        return self.data.get(key)\n\n"
    "store = Store()\n"
)
CONFIG = (
    "import functools\nimport os\n\n@functools.lru_cache\n"
    "def get_settings():\n    return dict(os.environ)\n"
)


class ModuleAttributeAssignment(Rule):
    """
    ## What it does
    Finds tests, fixtures and xunit setups that assign an attribute of an imported
    module, class or object (`settings.DEBUG = True`, `config.API_URL = ...`,
    `UserFactory._meta.sqlalchemy_session = session`) and never put the old value back
    (after the fixture's `yield`, in a `finally`, in a finalizer or a teardown). A test
    that puts the old value back on its last lines, after its assertions, restores it
    only when they pass: that is reported too.

    It also finds shared objects changed through their methods and never put back
    (`plugins.add(...)`, `store.put(...)`, `app.handlers.append(...)`): a module-level
    object of the project imported into the file, or one the file binds at module level
    and other functions of the file use, that is a container (`{}`, `[]`, `set()`) or an
    instance of a class of the project whose method changes `self`. And a cached getter
    of the project (`@functools.lru_cache def get_settings()`) called after the test
    patched the environment, with no `get_settings.cache_clear()` after it. Taking the
    entry out again (`remove`, `discard`, `pop`, `clear`, `unregister`...) or clearing
    the cache after the `yield` or in a `finally`, `monkeypatch.setattr` of the object,
    `mock.patch.dict`, and a function-scoped autouse fixture that empties the object or
    clears the cache for every test of the file (before or after its `yield`) undo it.
    Objects a fixture provides and instances of installed classes (a session, a table,
    an HTTP client) are not followed.

    An attribute set on an object an instance does not own is reported too: `blp =
    Blueprint(...)` then `blp.PARSER.DEFAULT_STATUS = 400`, where `Blueprint` (or one of
    its bases, read from the project's source through re-exports) binds `PARSER =
    Parser()` at class level, so every instance shares that one object.

    Not reported: an attribute of a module of the project that belongs to the tests
    setting it (each function of the suite using the module imports it itself and sets
    the attribute before reading anything else from it, and no other file of the project
    imports it, except modules that in turn belong to those tests, such as the example's
    `app.py` doing `from .database import engine`, each run only after the attribute is
    set), as when each test points an example script's `engine` at a new in-memory
    database before running it: no one reads the leaked value. Nor a test's
    own cleanup lines (`Base.metadata.bind = None` among the closing `close()` /
    `dispose()` calls of the test).

    ## Why is this bad?
    Imported modules and classes live for the whole session: the new value stays for
    every test that runs later, so results depend on test order. A factory-boy factory
    rebound to each test's session keeps the last one, often closed or rolled back, for
    whoever uses it next. The same holds for entries added to a shared registry, and
    for a value cached while the environment was patched: later tests get the patched
    settings without patching anything.

    ## Example
    ```python
    from app import settings

    def test_debug_page(client):
        settings.DEBUG = True
        assert "Traceback" in client.get("/boom").text
    ```
    Use instead:
    ```python
    from app import settings

    def test_debug_page(client, monkeypatch):
        monkeypatch.setattr(settings, "DEBUG", True)
        assert "Traceback" in client.get("/boom").text
    ```
    and for objects changed through their methods and cached getters:
    ```python
    from app.config import get_settings
    from app.registry import plugins

    @pytest.fixture
    def audit_plugin():
        plugins.add("audit")
        yield
        plugins.discard("audit")

    @pytest.fixture
    def settings(monkeypatch):
        monkeypatch.setenv("DEBUG", "1")
        get_settings.cache_clear()
        yield get_settings()
        get_settings.cache_clear()
    ```

    ## References
    - pytest, "How to monkeypatch/mock modules and environments":
      <https://docs.pytest.org/en/stable/how-to/monkeypatch.html>
    - Python, "functools.lru_cache":
      <https://docs.python.org/3/library/functools.html#functools.lru_cache>
    """

    code = "TA302"
    cache_scope = "file"
    """Besides the file's neighbourhood, `check_file` reads one fact of the whole suite,
    whether the suite owns a module attribute (`OwnedModules`): each answer is recorded
    in `asked` and checked again before cached findings are reused (`answer`)."""
    name = "module-attribute-assignment"
    category = "isolation"

    VALID = (
        # restored in a finally, or before the test's checks
        Valid(
            "from app import settings, views\n\n"
            "def test_a():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    try:\n        assert views.render()\n    finally:\n"
            "        settings.DEBUG = old\n\n"
            "def test_b():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    page = views.render()\n    settings.DEBUG = old\n    assert page\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/views.py": ""},
        ),
        Valid(
            "from app import settings\nfrom unittest import mock\n\n"
            "def test_a(monkeypatch):\n    monkeypatch.setattr(settings, 'DEBUG', True)\n\n"
            "def test_b():\n    with mock.patch.object(settings, 'DEBUG', True):\n"
            "        settings.DEBUG = False\n\n"
            "def test_c():\n    settings = object()\n    settings.x = 1\n",
            files={"app/__init__.py": "", "app/settings.py": "DEBUG = False\n"},
        ),
        Valid(
            "import pytest\nfrom app import settings\n\n@pytest.fixture\ndef debug():\n"
            "    old = settings.DEBUG\n    settings.DEBUG = True\n    yield\n"
            "    settings.DEBUG = old\n\n"
            "class TestX:\n    def setup_method(self):\n        self.saved = settings.URL\n"
            "        settings.URL = 'http://test'\n\n    def teardown_method(self):\n"
            "        settings.URL = self.saved\n\n    def test_x(self, debug):\n"
            "        assert settings.URL\n",
            files={"app/__init__.py": "", "app/settings.py": "DEBUG = False\nURL = ''\n"},
        ),
        # an example script only its own tests import, each pointing it at a new
        # database before running it: no other test reads the leaked engine
        Valid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tutorial001.py": "engine = None\nurl = 'sqlite:///db'\n\n"
                "def main():\n    return engine\n",
                "tests/test_tutorial001.py": "from sqlmodel import create_engine\n\n"
                "def test_tutorial():\n    from docs_src import tutorial001 as mod\n\n"
                "    mod.url = 'sqlite://'\n    mod.engine = create_engine(mod.url)\n"
                "    assert mod.main()\n\n"
                "def test_again():\n    from docs_src import tutorial001 as mod\n\n"
                "    mod.url = 'sqlite://'\n    mod.engine = create_engine(mod.url)\n"
                "    assert mod.main()\n",
            }
        ),
        # an example package whose app module imports the database module: both belong
        # to the one test that sets the engine before running the app
        Valid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tut/__init__.py": "",
                "docs_src/tut/database.py": "url = 'sqlite:///db'\nengine = None\n\n"
                "def create_all():\n    return engine\n",
                "docs_src/tut/app.py": "from .database import create_all, engine\n\n"
                "def main():\n    create_all()\n    return engine\n",
                "tests/test_tut.py": "from sqlmodel import create_engine\n\n"
                "def test_tutorial():\n    from docs_src.tut import app, database\n\n"
                "    database.url = 'sqlite://'\n"
                "    database.engine = create_engine(database.url)\n"
                "    app.engine = database.engine\n    assert app.main()\n",
            }
        ),
        # the test's own cleanup lines at its end, after new engines it made itself
        Valid(
            "import sqlalchemy\nfrom models import Base\n\n"
            "def test_engines(url):\n    eng = sqlalchemy.create_engine(url)\n"
            "    assert eng\n    eng.dispose()\n    Base.metadata.bind = None\n",
            files={"models.py": "class Base:\n    pass\n"},
        ),
        # shared objects changed through their methods, but undone: after the yield, in
        # a finally, by monkeypatch or mock.patch.dict; objects a fixture provides; and
        # instances of installed classes (a session, a table, an HTTP client)
        Valid(
            "import pytest\nfrom unittest import mock\nfrom app.registry import Registry, plugins\n"
            "from app.web import app, routes\n\n@pytest.fixture\ndef audit():\n"
            "    plugins.add('audit')\n    yield plugins\n    plugins.discard('audit')\n\n"
            "@pytest.fixture\ndef registry():\n    return Registry()\n\n"
            "def test_a(audit, registry):\n    registry.add('x')\n    plugins.add('y')\n"
            "    try:\n        assert 'y' in plugins.items\n    finally:\n"
            "        plugins.discard('y')\n\n"
            "def test_b(monkeypatch):\n    monkeypatch.setattr(app, 'handlers', [])\n"
            "    app.handlers.append(print)\n\n"
            "def test_c():\n    with mock.patch.dict(routes, {}):\n"
            "        routes.update(home='/')\n",
            files={
                "app/__init__.py": "",
                "app/registry.py": REGISTRY,
                "app/web.py": "class App:\n    def __init__(self):\n        self.handlers = []\n\n"
                "app = App()\nroutes = {}\n",
            },
        ),
        Valid(
            "from fastapi.testclient import TestClient\nfrom app.db import session, users\n\n"
            "client = TestClient(None)\n\n"
            "def test_a():\n    session.add(users.insert())\n    client.put('/x', json={})\n\n"
            "def test_b():\n    assert client\n",
            files={
                "app/__init__.py": "",
                "app/db.py": "from sqlalchemy import Column, MetaData, Table\n"
                "from sqlalchemy.orm import Session\n\n"
                "session = Session()\nusers = Table('users', MetaData(), Column('id'))\n",
            },
        ),
        # a shared list an autouse fixture of the root conftest empties before each test
        Valid(
            files={
                "app/__init__.py": "",
                "app/state.py": "EVENTS = []\n",
                "conftest.py": "import pytest\nfrom app.state import EVENTS\n\n"
                "@pytest.fixture(autouse=True)\ndef reset_events():\n    EVENTS.clear()\n"
                "    EVENTS.append('root')\n",
                "tests/test_a.py": "import pytest\nfrom app.state import EVENTS\n\n"
                "@pytest.fixture(autouse=True)\ndef module_level():\n"
                "    EVENTS.append('module')\n\n"
                "def test_order():\n    assert EVENTS == ['root', 'module']\n",
            }
        ),
        # a cached getter called under a patched environment, its cache cleared by an
        # autouse fixture (after its yield, or before each test)
        Valid(
            files={
                "app/__init__.py": "",
                "app/config.py": CONFIG,
                "a/conftest.py": "import pytest\nfrom app.config import get_settings\n\n"
                "@pytest.fixture(autouse=True)\ndef fresh_settings():\n    yield\n"
                "    get_settings.cache_clear()\n",
                "a/test_a.py": "from app.config import get_settings\n\n"
                "def test_debug(monkeypatch):\n    monkeypatch.setenv('DEBUG', '1')\n"
                "    assert get_settings()['DEBUG'] == '1'\n",
                "b/test_b.py": "import pytest\nfrom app.config import get_settings\n\n"
                "@pytest.fixture(autouse=True)\ndef fresh_settings():\n"
                "    get_settings.cache_clear()\n\n"
                "def test_debug(monkeypatch):\n    monkeypatch.setenv('DEBUG', '1')\n"
                "    assert get_settings()['DEBUG'] == '1'\n",
            }
        ),
    )
    INVALID = (
        # the same script, but another test reads the engine without setting it
        Invalid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tutorial001.py": "engine = None\n\ndef main():\n    return engine\n",
                "tests/test_a.py": "def test_a():\n    from docs_src import tutorial001 as mod\n"
                "    mod.engine = object()\n    assert mod.main()\n",
                "tests/test_b.py": "from docs_src import tutorial001\n\n"
                "def test_b():\n    assert tutorial001.main() is None\n",
            },
            at=("tests/test_a.py:3:5",),
            message="test `test_a` assigns `mod.engine`",
        ),
        # the example's app module, which reads the database module, is run by another
        # test that sets nothing: it runs on the leaked engine
        Invalid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tut/__init__.py": "",
                "docs_src/tut/database.py": "engine = None\n",
                "docs_src/tut/app.py": "from .database import engine\n\n"
                "def main():\n    return engine\n",
                "tests/test_a.py": "def test_a():\n    from docs_src.tut import app, database\n"
                "    database.engine = object()\n    assert app.main() is None\n",
                "tests/test_b.py": "def test_b():\n    from docs_src.tut import app\n"
                "    assert app.main() is None\n",
            },
            at=("tests/test_a.py:3:5",),
            message="test `test_a` assigns `database.engine`",
        ),
        # application code imports the module: it reads the leaked value
        Invalid(
            files={
                "app/__init__.py": "",
                "app/settings.py": "DEBUG = False\n",
                "app/views.py": "from app import settings\n\n"
                "def page():\n    return settings.DEBUG\n",
                "tests/test_a.py": "from app import views\n\ndef test_a():\n"
                "    from app import settings\n    settings.DEBUG = True\n"
                "    assert views.page()\n",
            },
            at=("tests/test_a.py:5:5",),
            message="test `test_a` assigns `settings.DEBUG`",
        ),
        # set at the start and put back at the end: a cleanup only if nothing fails
        # in between is not the pattern above; a None set before the test's work is a
        # change
        Invalid(
            "from models import Base\n\ndef test_unbound():\n"
            "    Base.metadata.bind = None\n    assert Base.query()\n",
            files={"models.py": "class Base:\n    pass\n"},
            at=("test_example.py:4:5",),
            message="test `test_unbound` assigns `Base.metadata.bind`",
        ),
        # put back at the end, but only when the checks in between pass
        Invalid(
            "from app import settings, views\n\ndef check(page):\n    assert page\n\n"
            "def test_debug():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    check(views.render())\n    settings.DEBUG = old\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/views.py": ""},
            at=("test_example.py:8:5",),
            message="puts it back only at line 10",
        ),
        Invalid(
            "from app import settings\nimport app.config as config\n\n"
            "def test_debug():\n    settings.DEBUG = True\n    assert settings.DEBUG\n\n"
            "def test_url():\n    setattr(config, 'API_URL', 'http://test')\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/config.py": ""},
            at=("test_example.py:5:5", "test_example.py:9:5"),
            message="test `test_debug` assigns `settings.DEBUG`",
        ),
        Invalid(
            files={
                "conftest.py": "import pytest\nfrom factories import UserFactory\n\n"
                "@pytest.fixture\ndef db(session_factory):\n    session = session_factory()\n"
                "    UserFactory._meta.sqlalchemy_session = session\n    try:\n"
                "        yield session\n    finally:\n        session.rollback()\n\n"
                "@pytest.fixture\ndef session_factory():\n    return object\n",
                "factories.py": "class UserFactory:\n    pass\n",
                "test_a.py": "def test_a(db):\n    assert db\n",
            },
            at=("conftest.py:7:5",),
            message="fixture `db` rebinds `UserFactory._meta.sqlalchemy_session`",
        ),
        # a module-level object of the app changed through its methods, and a list
        # of the test module that another test reads
        Invalid(
            "import pytest\nfrom app.registry import plugins, store\nfrom app.web import app\n\n"
            "seen = []\n\n@pytest.fixture\ndef audit():\n    plugins.add('audit')\n"
            "    return plugins\n\n"
            "def test_handler(audit):\n    app.handlers.append(print)\n"
            "    seen.append(1)\n    store.put('user', 1)\n    assert app.handlers\n\n"
            "def test_seen():\n    assert len(seen) <= 1\n    assert store.get('user') is None\n",
            files={
                "app/__init__.py": "",
                "app/registry.py": REGISTRY,
                "app/web.py": "class App:\n    def __init__(self):\n        self.handlers = []\n\n"
                "app = App()\n",
            },
            at=(
                "test_example.py:9:5",
                "test_example.py:13:5",
                "test_example.py:14:5",
                "test_example.py:15:5",
            ),
            message="fixture `audit` changes the shared `plugins` through `plugins.add()`",
        ),
        # a cached getter filled under a patched environment
        Invalid(
            "from app.config import get_settings\n\n"
            "def test_debug(monkeypatch):\n    monkeypatch.setenv('DEBUG', '1')\n"
            "    assert get_settings()['DEBUG'] == '1'\n",
            files={"app/__init__.py": "", "app/config.py": CONFIG},
            at=("test_example.py:5:12",),
            message="calls the cached `get_settings()` after patching the environment",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(classify, strict=True)
        self._owned_modules: OwnedModules | None = None
        self.asked: dict[str, bool | int | str | None] = {}

    def answer(self, suite: SuiteView, path: str, question: str) -> bool:
        """Whether the suite owns the module attribute `question` (for any file)."""
        return self._owned(suite).owned(question)

    def _owned_key(self, suite: SuiteView, key: str) -> bool:
        owned = self.asked[key] = self._owned(suite).owned(key)
        return owned

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file) or not may_assign(file):
            return
        analysis = self.analysis(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                if view.kind == "test" and trailing_cleanup(view, write):
                    continue
                if write.key is not None and self._owned_key(file.suite, write.key):
                    continue
                mutated = is_mutation(write) or is_cache_fill(write)
                if mutated and write.key and reset_at_setup(file.suite, write.key, file.path):
                    continue
                if autouse_emptying(view, write):
                    continue
                if write.restored_at is not None:
                    owner, _, attr = write.text.rpartition(".")
                    instead = f'use `monkeypatch.setattr({owner}, "{attr}", ...)`'
                    if mutated:
                        instead = "undo it in a fixture's teardown"
                    yield self.at(file, write.node, restored_on_success(view, write, instead))
                    continue
                yield self.at(file, write.node, message(view, write))

    def _owned(self, suite: SuiteView) -> OwnedModules:
        if self._owned_modules is None or self._owned_modules.suite is not suite:
            self._owned_modules = OwnedModules(suite)
        return self._owned_modules
