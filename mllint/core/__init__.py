"""Contracts and primitives every stage shares: findings, facts, source decoding, resource paths."""
