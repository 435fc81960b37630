"""paperenrich: scan, resolve, link-check and export Markdown lists of research papers."""

__version__ = "0.1.0"
