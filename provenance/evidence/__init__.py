"""What git says: the one git runner, cheap reads of .git/, agents and trailers, blame and
its cache, notes, committed public keys; collected into one GitEvidence per record."""
