"""The dynamic half: a pytest plugin that records, a driver that runs pytest, the leak hunt.

Only this package starts processes (the driver). The plugin and the probes run inside the
user's pytest process and import nothing but the standard library and pytest.
"""
