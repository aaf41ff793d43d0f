"""Documents drawn from plain data: org-chart drawings written as SVG, PNG, DOT or JSON; executive
briefs and review packs will join them.
"""
