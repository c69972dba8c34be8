"""The dynamic half: runs the user's suite through pytest and makes sense of what it recorded.

- ``plugin/`` and ``probes/`` run inside the user's pytest process (loaded with ``-p``):
  the standard library and pytest only, plus coverage, SQLAlchemy or a database driver
  imported lazily when a run asks for them;
- ``record``, ``shards``, ``exercised`` and ``profile_record`` are the contracts both sides
  read and write;
- ``runner/`` runs in test-auditor's process: the only code that starts pytest (the driver,
  each run in a process group of its own), the leak hunt, and the reading of the records.
"""
