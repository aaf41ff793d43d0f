"""Who decides at an account: titles read into seniority and function, the completed org chart,
people ranked by their power over a deal, the buying committee's covered and missing roles, and
the derived insights behind them, kept fresh as their inputs change.
"""
