"""paperenrich: scan, resolve, link-check and export Markdown lists of research papers.

The public Python API is `paperenrich.api` (see the README's "Python API"); its names are also
importable from here: `paperenrich.enrich("README.md")`. They are loaded on first use, so the
command line starts without importing the network stack.
"""

__version__ = "0.1.0"

# = paperenrich.api.__all__ (tests/test_api.py checks that the two agree).
__all__ = [
    "__version__", "api",
    "scan", "enrich", "check", "lint", "bibtex", "fix", "report", "resolve_lists", "links",
    "Settings", "load_settings", "BibOptions",
    "ScanResult", "Entry", "Resolution", "Paper", "LinkResult", "LinkTarget", "Place", "CheckReport", "Finding",
    "ListState", "EnrichResult", "FixResult", "RewriteResult",
]


def __getattr__(name: str):
    if name in __all__ and name != "__version__":
        import importlib

        api = importlib.import_module("paperenrich.api")
        return api if name == "api" else getattr(api, name)
    raise AttributeError(f"module 'paperenrich' has no attribute {name!r}")
