"""What runs inside the user's pytest process: the plugin's hooks, the per-test profile, the
name tracer and the audit-hook listener. Standard library and pytest only, loaded by ``-p``."""
