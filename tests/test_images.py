"""The image list: which pulled images a site that runs aliases only shows."""

import pytest
from rktcore import config as configuration
from rktcore.images import canonical, restrict

SITE = """\
rkt = "/usr/bin/rkt"
restrict-images = true

[alias.julia_]
image = "docker://julia"

[alias.bwa]
image = "quay.io/biocontainers/bwa:0.7.15--0"

[alias.local_]
image = "localhost:5000/tools/box"
"""


@pytest.mark.parametrize("alias_image, listed", [
    ("docker://julia", "registry-1.docker.io/library/julia:latest"),
    ("docker://julia", "docker.io/library/julia:latest"),
    ("julia:1.10", "docker.io/library/julia:1.10"),
    ("docker://biocontainers/fastqc", "docker.io/biocontainers/fastqc:latest"),
    ("quay.io/biocontainers/bwa:0.7.15--0", "quay.io/biocontainers/bwa:0.7.15--0"),
    ("localhost:5000/tools/box", "localhost:5000/tools/box:latest"),
])
def test_one_image_spelt_two_ways_is_one_image(alias_image, listed):
    assert canonical(alias_image) == canonical(listed)


@pytest.mark.parametrize("one, other", [
    ("docker://julia", "docker.io/library/julia:1.10"),
    ("quay.io/biocontainers/bwa:0.7.15--0", "docker.io/biocontainers/bwa:0.7.15--0"),
    ("localhost:5000/tools/box", "localhost:5001/tools/box"),
])
def test_different_images_stay_different(one, other):
    assert canonical(one) != canonical(other)


def test_restrict_images_keeps_the_pulled_images_aliases_name_however_spelt():
    config = configuration.parse("/etc/site.toml", SITE.encode())
    pulled = [{"name": "registry-1.docker.io/library/julia:latest"},
              {"name": "quay.io/biocontainers/bwa:0.7.15--0"},
              {"name": "localhost:5000/tools/box:latest"},
              {"name": "registry-1.docker.io/library/alpine:latest"}]
    assert [image["name"] for image in restrict(config, pulled)] == [
        "registry-1.docker.io/library/julia:latest",
        "quay.io/biocontainers/bwa:0.7.15--0", "localhost:5000/tools/box:latest"]
