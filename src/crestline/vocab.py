"""The domain's words, written once: the engines, the services and both interfaces read them here.

Plain constants and nothing else: this module imports nothing, so the command line can show them in
its help without loading the application (``crestline --help`` starts in a fraction of a second).
"""

from __future__ import annotations

# Seniority, from the top; then the functions a person works in.
LEVELS = ("board", "c_suite", "evp", "vp", "director", "manager", "individual_contributor", "entry")

FUNCTIONS = (
    "general_management",
    "finance",
    "technology",
    "operations",
    "sales",
    "marketing",
    "human_resources",
    "legal",
    "procurement",
    "product",
    "customer_success",
    "data",
    "security",
    "supply_chain",
    "research",
    "strategy",
    "communications",
    "risk_compliance",
    "administration",
)

# What our people record about someone at an account (the relationship map).
SUPPORT = ("mentor", "supporter", "neutral", "non_supporter", "enemy")
COVERAGE = ("unknown", "none", "light", "partial", "in_depth")
RELATIONSHIP = ("none", "introduced", "acquainted", "trusted", "advocate")

# People an org chart draws before its branches collapse (``crestline orgchart --budget``).
NODE_BUDGET = 80
