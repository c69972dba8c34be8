"""`test-auditor migrate`: restructure a suite into its tiers as one reviewed change.

plan (the operations, statically proven on a model of the planned tree) -> the plan file
(TOML, edited by the user) -> diff (what would change) | apply (written all or none,
verified through pytest, every byte put back on a failed check). Nothing but the command
line imports this stage.
"""
