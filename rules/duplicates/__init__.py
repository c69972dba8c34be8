"""Rules of the duplicates category."""
