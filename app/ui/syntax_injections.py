"""Languages inside Markdown: the inline grammar and fenced code, parsed over their ranges.

tree-sitter-markdown is two grammars: the block one (headings, lists, fences) leaves each
paragraph's text as an `inline` node for the inline one (code spans, emphasis, links). A
fence tagged with a language the editor knows is parsed in that language, so a README's
```` ```python ```` block is coloured like a Python file. Each is parsed over the ranges it
owns (`included_ranges`) as the highlighter queries the lines they are on; a parse over its
time slice is dropped, leaving that part plain rather than stalling.
"""

from __future__ import annotations

import logging

import tree_sitter

from app.ui.syntax_queries import HighlightGrammar, highlight_language, highlight_languages, load_highlight

logger = logging.getLogger(__name__)

_TIMEOUT_MICROS = 200_000
_FENCE_ALIASES = {
    "py": "python", "python3": "python", "js": "javascript", "jsx": "javascript", "node": "javascript",
    "ts": "typescript", "golang": "go", "rs": "rust", "c++": "cpp", "cs": "csharp", "c#": "csharp",
    "sh": "bash", "shell": "bash", "zsh": "bash", "console": "bash", "rb": "ruby", "kt": "kotlin",
    "yml": "yaml", "md": "markdown", "jsonc": "json", "terraform": "hcl", "tf": "hcl",
}  # fmt: skip
_queries: dict[int, tuple[tree_sitter.Query, tree_sitter.Query]] = {}


def markdown_injections(
    block_tree: tree_sitter.Tree, source: bytes, *, rows: tuple[int, int]
) -> list[tuple[HighlightGrammar, tree_sitter.Tree]]:
    """Trees for the inline text and fenced code that lines `rows` (start, end) touch.

    Only those parts are parsed, once per query of the highlighter: a whole README's inline
    parse over every paragraph costs ~60 ms at 90 KB, a screenful of it well under 1 ms.
    """
    inline_query, fence_query = _collect_queries(block_tree.language)
    found: dict[str, list[tree_sitter.Node]] = {}
    cursor = tree_sitter.QueryCursor(inline_query, timeout_micros=_TIMEOUT_MICROS)
    cursor.set_point_range((rows[0], 0), (rows[1], 0))
    found["markdown_inline"] = cursor.captures(block_tree.root_node).get("inline", [])
    cursor = tree_sitter.QueryCursor(fence_query, timeout_micros=_TIMEOUT_MICROS)
    cursor.set_point_range((rows[0], 0), (rows[1], 0))
    for _, captures in cursor.matches(block_tree.root_node):
        tag = captures["tag"][0].text or b""
        language = fence_language(tag.decode("utf-8", errors="replace"))
        if language is not None and language != "markdown":
            found.setdefault(language, []).extend(captures["code"])
    trees = []
    for language, nodes in found.items():
        grammar = load_highlight(language)
        tree = _parse_over(grammar, nodes, source) if grammar is not None else None
        if grammar is not None and tree is not None:
            trees.append((grammar, tree))
    return trees


def fence_language(tag: str) -> str | None:
    """The language a fence's info string names (`py`, `Python`, `rust,ignore`), or None."""
    word = tag.strip().split(",")[0].split()[0].lower() if tag.strip() else ""
    name = _FENCE_ALIASES.get(word, word)
    if name in highlight_languages():
        return name
    return highlight_language(f"fence.{word}") if word else None


def _parse_over(
    grammar: HighlightGrammar, nodes: list[tree_sitter.Node], source: bytes
) -> tree_sitter.Tree | None:
    ranges: list[tree_sitter.Range] = []
    # tree-sitter wants included ranges in order and apart; captures come grouped by pattern.
    for node in sorted(nodes, key=lambda n: n.start_byte):
        if node.end_byte > node.start_byte and (not ranges or node.start_byte >= ranges[-1].end_byte):
            ranges.append(node.range)
    if not ranges:
        return None  # no included ranges would mean "the whole file"
    try:
        parser = tree_sitter.Parser(grammar.language, included_ranges=ranges, timeout_micros=_TIMEOUT_MICROS)
        return parser.parse(source)
    except ValueError:
        logger.debug("markdown: %s part not parsed in time", grammar.name)
        return None  # that part stays plain; headings and fences stay coloured


def _collect_queries(language: tree_sitter.Language) -> tuple[tree_sitter.Query, tree_sitter.Query]:
    key = id(language)
    if key not in _queries:
        _queries[key] = (
            tree_sitter.Query(language, "(inline) @inline"),
            tree_sitter.Query(
                language,
                "(fenced_code_block (info_string (language) @tag) (code_fence_content) @code)",
            ),
        )
    return _queries[key]
