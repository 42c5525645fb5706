"""Units + evidence -> the provenance record: line classification, declarations,
attribution, the statement graph, claim checks, reviews, policy, build/record.json."""
