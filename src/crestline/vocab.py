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

# Buying roles as the CRM records them on a deal (Salesforce's picklist; HubSpot's values are read
# into it): each with how much it says about a person's power over the deal, and the buying
# committee's roles it fills (``COMMITTEE_ROLES``).
BUYING_ROLES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Economic Buyer", 1.0, ("economic_buyer",)),
    ("Economic Decision Maker", 1.0, ("economic_buyer", "decision_maker")),
    ("Executive Sponsor", 0.8, ("executive_sponsor",)),
    ("Decision Maker", 0.7, ("decision_maker",)),
    ("Technical Buyer", 0.3, ("technical_buyer",)),
    ("Evaluator", 0.2, ("technical_buyer",)),
    ("Champion", 0.3, ("champion",)),
    ("Influencer", 0.3, ()),
    ("Business User", 0.1, ("user",)),
    ("Other", 0.05, ()),
)
COMMITTEE_ROLES = (
    "economic_buyer",
    "executive_sponsor",
    "decision_maker",
    "technical_buyer",
    "champion",
    "user",
)

# People an org chart draws before its branches collapse (``crestline orgchart --budget``).
NODE_BUDGET = 80
