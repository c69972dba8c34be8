"""tiers: subscription billing for the Tiers SaaS (plans, subscriptions, invoices, usage)."""

__version__ = "2.4.1"
