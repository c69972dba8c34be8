"""Rules of the timing category."""
