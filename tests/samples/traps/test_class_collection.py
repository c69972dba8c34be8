"""Which classes and methods pytest collects, under this sample's
python_classes = "Test *Suite" and python_functions = "test_* check_*"."""

import unittest


class TestWithInit:
    """Has __init__: pytest skips it with a PytestCollectionWarning."""

    def __init__(self):
        self.items = []

    def test_never_runs(self):
        assert False


class TestDisabled:
    """``__test__ = False``: not collected."""

    __test__ = False

    def test_never_collected(self):
        assert False


class TestOuter:
    def test_outer(self):
        assert True

    class TestInner:
        """Nested test class: collected as TestOuter::TestInner."""

        def test_inner(self):
            assert True

    class Helper:
        """Nested, but its name matches no python_classes pattern."""

        def test_hidden(self):
            assert False


class TestBaseChecks:
    currency = "USD"

    def test_currency_is_set(self):
        assert self.currency in {"USD", "EUR"}


class TestEuroChecks(TestBaseChecks):
    """Inherits test_currency_is_set: it runs here a second time."""

    currency = "EUR"

    def test_euro(self):
        assert self.currency == "EUR"


class SharedChecks:
    """A mixin: its name does not match, so its tests run only in subclasses."""

    value = 0

    def test_value_is_positive(self):
        assert self.value > 0


class TestUsesMixin(SharedChecks):
    value = 3


class PriceRules(unittest.TestCase):
    """A TestCase is collected whatever its name; its methods follow
    unittest's rule (prefix "test"), not python_functions."""

    def test_rounding(self):
        self.assertEqual(round(2.675, 2), 2.67)

    def testNoUnderscore(self):
        self.assertTrue(True)

    def check_not_a_unittest_method(self):
        raise AssertionError("unittest does not run check_* methods")


class CheckoutSuite:
    """Matches the glob "*Suite"."""

    def test_suite_method(self):
        assert True

    def check_suite_method(self):
        assert True

    def testlegacy(self):
        """python_functions = "test_*" is a glob: "testlegacy" does not match."""
        assert False


class TestStaticAndClassMethods:
    @staticmethod
    def test_static():
        assert True

    @classmethod
    def test_classmethod(cls):
        assert cls is TestStaticAndClassMethods
