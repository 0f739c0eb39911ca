from __future__ import annotations
def find_indicators(*a): return []
