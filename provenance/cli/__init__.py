"""The `paperprov` command: argument parsing and dispatch (main.py), one module per
subcommand under commands/; expected errors become one line here only."""
