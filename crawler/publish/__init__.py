"""Publishing: everything between ``archive.db`` and its readers (see README.md here)."""
