"""The catalogue and its filter, without a terminal: what matches, in what order."""

import random
import string

from rktcore.config import parse

from rkttui.catalogue import ALIAS, EXEC, IMAGE, Catalogue, entries_of, name_positions

SITE = b"""
rkt = "/usr/bin/rkt"

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
description = "Burrows-Wheeler aligner for short reads"

[alias."samtools-1.19"]
image = "quay.io/biocontainers/samtools:1.19.2--h50ea8bc_0"
exec = ["samtools"]
description = "Read, sort and index alignments"

[alias."blast-2.15"]
image = "quay.io/biocontainers/blast:2.15.0--pl5321h6f7f691_1"
exec = ["/usr/local/bin/blastn", "makeblastdb"]
description = "Search nucleotide databases"
"""
IMAGES = [
    {"id": "sha512-0abc", "name": "quay.io/biocontainers/seqkit:2.8.0--h9ee0642_0",
     "size": 22347776, "import_time": 1, "last_used_time": 2},
]


def site_catalogue(text: bytes = SITE, images=IMAGES) -> Catalogue:
    return Catalogue(entries_of(parse("site.toml", text), images))


def names(entries) -> list[str]:
    return [entry.name for entry in entries]


def test_the_catalogue_lists_aliases_then_their_executables_then_pulled_images():
    catalogue = site_catalogue()
    assert [(entry.kind, entry.name) for entry in catalogue.entries] == [
        (ALIAS, "blast-2.15"), (EXEC, "blastn"), (EXEC, "makeblastdb"),
        (ALIAS, "bwa-0.7.17"), (EXEC, "bwa"),
        (ALIAS, "samtools-1.19"), (EXEC, "samtools"),
        (IMAGE, "quay.io/biocontainers/seqkit:2.8.0--h9ee0642_0"),
    ]


def test_an_executable_entry_runs_its_full_path_under_its_basename():
    blastn = site_catalogue().filter("blastn")[0]
    assert (blastn.kind, blastn.name, blastn.exec, blastn.alias) == (
        EXEC, "blastn", "/usr/local/bin/blastn", "blast-2.15")


def test_an_empty_filter_shows_everything_in_catalogue_order():
    catalogue = site_catalogue()
    assert catalogue.filter("  ") == catalogue.entries


def test_an_exact_name_comes_first_then_names_that_start_with_it():
    assert names(site_catalogue().filter("bwa"))[:2] == ["bwa", "bwa-0.7.17"]


def test_letters_in_order_match_fuzzily_within_one_field():
    assert names(site_catalogue().filter("smtl"))[:2] == ["samtools",
                                                         "samtools-1.19"]


def test_a_fuzzy_match_never_spans_two_fields():
    # "17" ends bwa-0.7.17's name and image; "bur" is only in its description.
    assert site_catalogue().filter("17") != []
    assert site_catalogue().filter("17bur") == []


def test_descriptions_and_images_match_too():
    assert names(site_catalogue().filter("aligner")) == ["bwa-0.7.17"]
    assert "quay.io/biocontainers/seqkit:2.8.0--h9ee0642_0" in names(
        site_catalogue().filter("seqkit"))


def test_the_filter_ignores_case():
    assert names(site_catalogue().filter("BWA")) == names(
        site_catalogue().filter("bwa"))


def test_every_word_of_a_query_must_match():
    assert names(site_catalogue().filter("blast make")) == ["makeblastdb"]


def test_a_query_that_matches_nothing_gives_an_empty_list():
    assert site_catalogue().filter("zzzz") == []


def test_restrict_images_keeps_pulled_images_out_of_the_catalogue():
    text = SITE.replace(b'rkt = "/usr/bin/rkt"', b'rkt = "/usr/bin/rkt"\n'
                        b"restrict-images = true")
    assert IMAGE not in {entry.kind for entry in site_catalogue(text).entries}


def test_narrowing_a_query_gives_what_a_fresh_search_gives():
    catalogue = big_catalogue(2000)
    for query in ("s", "sa", "sam", "samt", "sa", "s", "a b", "a bc"):
        assert catalogue.filter(query) == big_catalogue_fresh(catalogue, query)


def test_highlighted_positions_prefer_a_contiguous_run():
    assert name_positions("samtools-1.19", "tool") == [3, 4, 5, 6]
    assert name_positions("samtools-1.19", "smt") == [0, 2, 3]
    assert name_positions("bwa", "x") == []


def big_catalogue(size: int) -> Catalogue:
    """Return a catalogue of random aliases, each with one to three executables."""
    chooser = random.Random(7)
    lines = ['rkt = "/usr/bin/rkt"']
    for number in range(size):
        tool = "".join(chooser.choice(string.ascii_lowercase) for _ in range(6))
        execs = ", ".join(f'"{tool}{n}"' for n in range(chooser.randint(1, 3)))
        lines += [f'[alias."{tool}-{number}"]',
                  f'image = "quay.io/biocontainers/{tool}:{number}.0--0"',
                  f"exec = [{execs}]",
                  f'description = "{tool} does {chooser.choice(["a", "b"])}"']
    return Catalogue(entries_of(parse("big.toml", "\n".join(lines).encode())))


def big_catalogue_fresh(catalogue: Catalogue, query: str):
    return Catalogue(catalogue.entries).filter(query)
