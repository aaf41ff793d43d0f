"""Use cases: load from storage, call engines, persist results; each owns its transaction.

Every service function takes the acting user (:class:`crestline.services.auth.auth.Actor`) first, so
permissions are decided in one place.
"""
