"""The catalogue: everything a user may run here, and the fuzzy filter over it.

Pure Python with no Textual in it, so that filtering can be tested and timed
on its own. A filter keystroke costs one regex search per entry (per entry
still matching, while the query only grows) and a few passes of C functions
over the matches to rank them; nothing is rendered here.
"""

import re
from itertools import compress, repeat
from operator import attrgetter, contains, gt, not_, truth

ALIAS, EXEC, IMAGE = "alias", "exec", "image"
KIND_ORDER = {ALIAS: 0, EXEC: 1, IMAGE: 2}
KEY = attrgetter("key")
HAYSTACK = attrgetter("haystack")
ORDER = attrgetter("order")


class Entry:
    """One runnable name: an alias, an executable an alias exposes, or an image.

    The haystack is the text the filter searches, one field per tab: an alias
    is found by its name, its image's name and its description; an executable
    by its name and its alias's; an image by its whole name. An alias's
    registry path is left out: shared by nearly every entry, it would make
    short queries match everything, and cost time to search.
    """

    __slots__ = ("kind", "name", "alias", "exec", "image", "description",
                 "size", "key", "haystack", "order")

    def __init__(self, kind, name, alias="", exec="", image="", description="",
                 size=0):
        self.kind = kind
        self.name = name
        self.alias = alias
        self.exec = exec
        self.image = image
        self.description = description
        self.size = size
        self.key = key = name.lower()
        # The tabs keep a fuzzy match within one field.
        if kind == ALIAS:
            short_image = image[image.rfind("/") + 1:]
            self.haystack = f"{key}\t{short_image}\t{description}".lower()
        elif kind == EXEC:
            self.haystack = f"{key}\t{alias.lower()}"
        else:
            self.haystack = key
        # Within a rank: short names first, then aliases, executables, images.
        self.order = (len(key), KIND_ORDER[kind], key)

    def __repr__(self) -> str:
        return f"Entry({self.kind}, {self.name!r})"


def entries_of(config, images=()) -> list[Entry]:
    """Return the catalogue: each alias then its executables, then pulled images."""
    aliases = config.doc.get("alias", {})
    found = []
    add = found.append
    for name in sorted(aliases, key=str.lower):
        alias = aliases[name]
        image = alias["image"]
        add(Entry(ALIAS, name, name, "", image, alias.get("description", "")))
        for exe in alias.get("exec", ()):
            add(Entry(EXEC, exe[exe.rfind("/") + 1:], name, exe, image))
    return found + image_entries(config, images)


def image_entries(config, images) -> list[Entry]:
    """Return entries for pulled images, unless this site runs aliases only."""
    if config.get("restrict-images"):
        return []
    named = sorted((image for image in images if image.get("name")),
                   key=lambda image: image["name"])
    return [Entry(IMAGE, image["name"], image=image["name"],
                  size=image.get("size", 0)) for image in named]


def fuzzy_pattern(term: str) -> "re.Pattern":
    """Compile a pattern matching term's letters in order within one field.

    Each gap skips to the next wanted letter without backtracking, so a search
    costs one pass over the field at most.
    """
    parts = [re.escape(term[0])]
    for letter in term[1:]:
        wanted = re.escape(letter)
        parts.append(f"[^{wanted}\t]*+{wanted}")
    return re.compile("".join(parts))


def holding(haystacks: list[str], term: str) -> list:
    """Return, per haystack, whether it holds term's letters in order."""
    if len(term) == 1:
        return list(map(contains, haystacks, repeat(term)))
    # Booleans, not match objects: thousands of those would wake the collector.
    return list(map(truth, map(fuzzy_pattern(term).search, haystacks)))


class Pool:
    """Entries in a fixed order, with their names and haystacks beside them."""

    __slots__ = ("entries", "keys", "haystacks")

    def __init__(self, entries: list[Entry], keys=None, haystacks=None):
        self.entries = entries
        self.keys = list(map(KEY, entries)) if keys is None else keys
        self.haystacks = list(map(HAYSTACK, entries)) if haystacks is None \
            else haystacks

    def matching(self, terms: list[str]) -> "Pool":
        """Return the entries whose haystack holds every term, fuzzily."""
        pool = self
        for term in terms:
            hits = holding(pool.haystacks, term)
            pool = Pool(list(compress(pool.entries, hits)),
                        list(compress(pool.keys, hits)),
                        list(compress(pool.haystacks, hits)))
        return pool

    def ranked(self, query: str) -> list[Entry]:
        """Return entries best first: the query in the name, fuzzily there, elsewhere.

        Each step maps a C function over whole lists, so no Python code runs per
        entry, and the pool's fixed order ranks within a tier without a sort.
        """
        keys, entries = self.keys, self.entries
        inside = list(map(contains, keys, repeat(query)))
        if len(query) == 1:
            return [*compress(entries, inside), *compress(entries, map(not_, inside))]
        in_name = list(map(truth, map(fuzzy_pattern(query).search, keys)))
        return [*compress(entries, inside),
                *compress(entries, map(gt, in_name, inside)),
                *compress(entries, map(not_, in_name))]


class Catalogue:
    """The entries and a filter over them that remembers its last answer."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._all = Pool(sorted(entries, key=ORDER))
        self._last_query = ""
        self._last_pool = self._all

    def __len__(self) -> int:
        return len(self.entries)

    def filter(self, query: str) -> list[Entry]:
        """Return the entries matching query, best first; all of them for no query."""
        query = " ".join(query.lower().split())
        if not query:
            return self.entries
        # A longer query only ever matches a subset of what a shorter one did.
        pool = self._all
        if self._last_query and query.startswith(self._last_query):
            pool = self._last_pool
        terms = query.split(" ")
        pool = pool.matching(terms)
        self._last_query, self._last_pool = query, pool
        return pool.ranked(terms[0])


def name_positions(name: str, query: str) -> list[int]:
    """Return where the query's terms fall in name, for highlighting."""
    key = name.lower()
    positions = set()
    for term in query.lower().split():
        start = key.find(term)
        if start >= 0:
            positions.update(range(start, start + len(term)))
        else:
            positions.update(letters_in_order(key, term))
    return sorted(positions)


def letters_in_order(key: str, term: str) -> list[int]:
    """Return the first positions of term's letters, in order, in key, or []."""
    positions = []
    start = 0
    for letter in term:
        found = key.find(letter, start)
        if found < 0:
            return []
        positions.append(found)
        start = found + 1
    return positions
