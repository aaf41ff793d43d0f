"""Finding a way in: the relationship graph read from connections, meetings and shared employers,
kept in memory and in a snapshot shared by workers, the evidence behind each hop, and warm
introduction paths from our sellers and executives to the people we want to reach.
"""
