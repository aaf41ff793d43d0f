"""Getting data in and out: each source's import (Salesforce, HubSpot, LinkedIn, activities,
events, our own sellers) through one shared pipeline that keeps its row problems, the files an
admin uploads, previews and confirms, and exports written the way each source writes them.
"""
