"""Who is acting and what they may see: passwords, sign-in and its sessions, actors, and the one
scope of visible accounts every service function applies.
"""
