"""The reviewer's side: safe bundle reading, trusted keys, the checks, the rebuild, the report."""
