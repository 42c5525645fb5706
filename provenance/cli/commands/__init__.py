"""The `paperprov` subcommands, one module each, with `register(subparsers)` and
`run(args) -> int`. Their one-line help lives here, so `paperprov --help` lists every
command without importing any of them (start-up time is the hooks' and the user's)."""

HELP = {
    "init": "add provenance.yaml, dodo.py and .gitignore entries to a paper repository",
    "status": "show which units humans and AIs wrote (the provenance record)",
    "report": "write the reviewer's web page (build/report/index.html)",
    "export": "write the record in other tools' formats (Agent Trace)",
    "keygen": "create an Ed25519 signing key; its public line goes to keys/NAME.pub",
    "sign": "add your signature to an attestation (co-authors)",
    "reveal": "an anonymous submission's reveal file: show it, or sign it (co-authors)",
    "verify": "check a submission offline: signatures, digests, source, rebuild",
    "session": "start/stop/show a declared AI session (tags every commit until stopped)",
    "tag": "mark staged lines as AI-written (attached to the next commit)",
    "review": "record that an author reviewed units (or list reviews)",
    "serve": "keep paperprov loaded so that `status` starts at once (a pre-forking server; Linux)",
    "hook": "entry points for the pre-commit hooks (see .pre-commit-hooks.yaml)",
}
