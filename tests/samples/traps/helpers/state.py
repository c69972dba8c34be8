"""A log the fixtures append to, so tests can check which fixtures ran."""

EVENTS = []
