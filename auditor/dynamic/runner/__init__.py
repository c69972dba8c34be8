"""What runs in test-auditor's own process: the driver that starts pytest, the leak hunt and its
matching, orders and suspects, and the reading of what the plugin recorded."""
