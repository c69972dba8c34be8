"""The rule engine: selecting and running the rules of ``rules/`` (shipped as ``auditor.rules``),
noqa and baselines, fixes written all or none, and the libcst codemods behind them."""
