"""paperenrich: scan, resolve, link-check and export Markdown lists of research papers."""

__version__ = "0.1.0"


def enrich(path_or_text, settings=None):
    """Resolve every entry of a list against arXiv and Semantic Scholar (cache first).

    `path_or_text`: a path to a Markdown list, or the list's text itself. `settings`: a
    `paperenrich.config.Settings` (default: `load_settings()`, i.e. config file and environment).
    Returns one `paperenrich.model.Resolution` per entry, in list order: `.paper` (a `Paper`) or
    `.reason` (and `.candidates` when ambiguous). `Resolution.to_dict()` is the JSON contract.
    """
    from paperenrich.resolve import enrich_list

    return enrich_list(path_or_text, settings).resolutions
