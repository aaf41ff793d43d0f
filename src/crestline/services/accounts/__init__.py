"""Accounts and their people: finding an account by name or id, listing and reading the accounts
and people the actor may see, their reporting trees, and the home page's counts.
"""
