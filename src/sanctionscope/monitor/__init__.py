"""Ongoing monitoring: portfolios of people and companies to watch, screened again only where the lists
changed, alerts with an analyst's decisions, delivery by signed webhooks and an Atom feed, and the evidence."""

#: failed attempts after which a delivery is dead
MAX_ATTEMPTS = 8
#: seconds before the first retry; each next one waits twice as long
BACKOFF_SECONDS = 30.0
