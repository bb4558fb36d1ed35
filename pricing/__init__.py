"""Deterministic pricing: price lists, rules, tiers, caps, rounding, VAT, approval bands and the trace."""
