"""orderdesk: customers, orders and login sessions (sample app for test-auditor)."""
