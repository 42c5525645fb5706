"""Commit time: the pre-commit hooks' logic (tags, policy, lint, private keys, notes) and sessions."""
