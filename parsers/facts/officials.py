from __future__ import annotations
def find_officials(*a): return []
