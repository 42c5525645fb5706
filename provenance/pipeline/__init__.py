"""doit task creators (cheap, run on every `doit` call) and their actions: experiments,
LaTeX, and hand-offs to the record, disclosure and attestation stages."""
