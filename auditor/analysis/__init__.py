"""What the model means: fixture resolution by pytest's rules and its graph, tiers with their
evidence, duplicates, and the static tiers confirmed or corrected by a profiled run."""
