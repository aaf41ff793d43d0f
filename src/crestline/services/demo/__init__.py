"""The demo world in a database: opening and migrating it, loading the generated world, and scoring
the decision-maker engines against the ground truth it hid.
"""
