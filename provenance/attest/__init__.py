"""Signing: DSSE envelopes, in-toto statements, which key signs, the submission bundle."""
