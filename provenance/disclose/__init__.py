"""The record -> the disclosure appendix: view model, graph layout, AI Attribution
statement and venue answers, escaping, templates."""
