import os

from leakapp import checkout


def test_enable_beta_features():
    os.environ["APP_MODE"] = "beta"
    assert checkout.beta_enabled()
