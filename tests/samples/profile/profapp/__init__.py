"""A tiny app whose functions reach outside the process."""
