"""One module per `paperprov` subcommand: `register(subparsers)` and `run(args) -> int`."""
