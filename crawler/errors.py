"""Errors of the crawler, as one small tree.

* CrawlerError           -- anything the CLI turns into one plain line and exit code 1
  + ConfigError          -- sources.yml or settings are wrong
  + StorageError         -- the database path cannot be used
  + SourceBusy           -- another process holds this source's lock
"""
from __future__ import annotations


class CrawlerError(Exception):
    """Base class: a message a user can act on."""


class ConfigError(CrawlerError):
    pass


class StorageError(CrawlerError):
    pass


class SourceBusy(CrawlerError):
    pass
