"""Where the build puts things, relative to the repository root. Users, the attestation
and `paperprov verify` rely on these names (DESIGN.md, "Files and names")."""

BUILD = "build"
RECORD = "build/record.json"
CHECKS = "build/checks.json"
DISCLOSURE_TEX = "build/disclosure.tex"
DISCLOSURE_MD = "build/disclosure.md"
PDF = "build/paper.pdf"
ATTESTATION = "build/attestation.intoto.jsonl"
LATEX_OUTDIR = "build/latex"
