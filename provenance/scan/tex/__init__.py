"""The LaTeX scanner: a hand-written lexer, one walk of the paper as LaTeX reads it, and a
table of small handlers for the control words that make units or name files."""
