"""Storage: typed models, opening and migrating databases, bulk writes.

Only this room speaks SQL.
"""
