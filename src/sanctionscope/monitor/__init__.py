"""Ongoing monitoring: portfolios of people and companies to watch, screened again only where the lists
changed, alerts with an analyst's decisions, delivery by signed webhooks and an Atom feed, and the evidence."""
