"""Named hostile and broken inputs (see packages.py), each with the answer the rule requires."""
