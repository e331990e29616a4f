"""Placeholder: the bibliography loader lands here (see Bibliography/Entry contract)."""
