"""Sources -> units: LaTeX (tex/), Python (pycode), paperprov markers, claim-check links, and
the project's source sets. Imports only the core modules."""
