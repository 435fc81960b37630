"""One Markdown document model: the list parsed once, its lines, and every link with the exact
source offsets of its destination. `check`'s link collection and `fix`'s rewriting read their
links from it, so they see the same links (and `scan`'s entry links are among them).

    doc = Document(text)
    for link in doc.links:          # LinkSpan(url, start, end, line, kind), in document order
        text[link.start:link.end]   # the destination exactly as written
    doc.anchors                     # the #fragments a link into it can name (GitHub's heading slugs, ids)
"""

from paperenrich.markdown.document import Document, LinkSpan, github_slug

__all__ = ["Document", "LinkSpan", "github_slug"]
