"""hanoi-news crawler: sources, discovery, polite fetching, raw capture, storage, publishing."""
import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
