"""The config: every key keeps rktrunner's meaning; every mistake is named."""

import pytest

from rktcore import config as configuration
from rktcore.messages import ConfigError

MINIMAL = 'rkt = "/usr/bin/rkt"\n'


def parse(text: str):
    return configuration.parse("/etc/test.toml", text.encode())


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("/etc/test.toml: ")
    return message


def test_minimal_config_is_accepted():
    config = parse(MINIMAL)
    assert config.get("rkt") == "/usr/bin/rkt"
    assert config.runtime == "rkt"
    assert config.aliases == {}


def test_every_rktrunner_key_is_accepted():
    config = parse(MINIMAL + """
default-interactive-cmd = "sh"
preserve-cwd = true
restrict-images = false
supplementary-groups = true
audit-log = "/var/log/rkt-run.log"
attach-stdio = false
use-path = true
exec-slave-dir = "/usr/libexec/rktrunner"
recursive-mounts = true
[environment]
HOME = "/home/{{.Username}}"
[options.common]
general = ["--insecure-options=image"]
fetch = ["--trust-keys-from-https"]
run = ["--net=host"]
image = ["--user={{.Uid}}"]
[options.batch]
run = ["--quiet"]
[options.interactive]
run = ["--interactive"]
[auto-image-prefix]
"biocontainers/" = "docker://biocontainers/"
[volume.home]
volume = "kind=host,source={{.HomeDir}}"
mount = "target=/home/{{.Username}}"
on-request = false
[alias.julia_]
image = "docker://julia"
exec = ["/usr/local/julia/bin/julia"]
description = "The Julia language"
environment = { JULIA_DEPOT_PATH = "/home/{{.Username}}/.julia" }
environment-blacklist = ["HOME"]
[allow]
exec = false
set-env = ["LANG", "OMP_*"]
interactive = true
""")
    assert config.aliases["julia"] == ("julia_", "/usr/local/julia/bin/julia")
    assert config.allow("exec") is False
    assert config.allow("set-env") == ["LANG", "OMP_*"]


def test_bounds_default_to_rktrunner_behaviour():
    config = parse(MINIMAL)
    assert config.allow("exec") is True
    assert config.allow("set-env") is True
    assert config.allow("interactive") is True


@pytest.mark.parametrize("text, named", [
    (MINIMAL + "rtk = 1\n", "rtk is not a known key"),
    (MINIMAL + "[alias.x]\nimage = 'i'\nimgae = 'j'\n", "alias.x.imgae is not a known"),
    (MINIMAL + "[volume.v]\nvolume = 'kind=empty'\nmoutn = 'x'\n", "volume.v.moutn"),
    (MINIMAL + "[allow]\nshell = true\n", "allow.shell is not a known key"),
    (MINIMAL + "preserve-cwd = 'yes'\n", "preserve-cwd must be true or false"),
    ('rkt = 3\n', "rkt must be a string"),
    (MINIMAL + "environment = 'x'\n", "environment must be a table"),
    (MINIMAL + "[environment]\nX = 1\n", "environment.X must be a string"),
    (MINIMAL + "[environment]\n'A B' = 'x'\n", "environment.A B is not a valid"),
    (MINIMAL + "[options.always]\nrun = []\n", "options.always is not a mode"),
    (MINIMAL + "[options.common]\nrunn = []\n", "options.common.runn is not an option"),
    (MINIMAL + "[options.common]\nrun = '--net=host'\n", "options.common.run must be a list"),
    (MINIMAL + "[options.common]\nrun = [1]\n", "options.common.run must be a list of strings"),
    ("default-interactive-cmd = 'sh'\n", "rkt is missing"),
    (MINIMAL + "runtime = 'docker'\n", 'runtime "docker" is not a runtime'),
    (MINIMAL + "[volume.v]\nmount = 'target=/v'\n", 'volume.v needs a "volume" key'),
    (MINIMAL + "[alias.x]\nexec = ['a']\n", 'alias.x needs an "image"'),
    (MINIMAL + "[alias.x]\nimage = '-i'\n", "alias.x.image must not start"),
    (MINIMAL + "[alias.x]\nimage = 'i'\nexec = ['--x']\n", "alias.x.exec entries"),
    (MINIMAL + "[alias.x]\nimage = 'i'\nexec = 'a'\n", "alias.x.exec must be a list"),
    (MINIMAL + "[allow]\nset-env = 'A'\n", "allow.set-env must be true or false or a list"),
    (MINIMAL + "[allow]\nset-env = ['A-B']\n", 'entry "A-B" must be a variable name'),
    (MINIMAL + "[auto-image-prefix]\nx = 1\n", "auto-image-prefix.x must be a string"),
    (MINIMAL + "[auto-image-prefix]\nx = '--net=host '\n",
     'auto-image-prefix.x replacement "--net=host " starts with "-"'),
    (MINIMAL + "[options]\ncommon = ['--net=host']\n", "options.common must be a table"),
    (MINIMAL + "volume = {v = 'kind=empty'}\n", "volume.v must be a table"),
    (MINIMAL + "alias = {x = 'i'}\n", "alias.x must be a table"),
    (MINIMAL + "[alias.x]\nimage = 'i'\nenvironment-blacklist = [1]\n",
     "alias.x.environment-blacklist must be a list of strings"),
    (MINIMAL + "[alias.x]\nimage = 'i'\nenvironment = {'A-B' = 'x'}\n",
     "alias.x.environment.A-B is not a valid variable name"),
    (MINIMAL + "[environment]\nA = '{{.A'\n", 'environment.A: "{{" is never closed'),
])
def test_a_wrong_key_or_type_is_refused_by_name(text, named):
    if named is None:
        with pytest.raises(ConfigError):
            parse(text)
        return
    assert named in refusal(text)


def test_an_alias_and_an_exec_basename_share_one_namespace():
    message = refusal(MINIMAL + """
[alias.bwa]
image = "a"
[alias.bwa_]
image = "b"
exec = ["/usr/local/bin/bwa"]
""")
    assert 'alias.bwa_ defines "bwa", which alias.bwa already defines' in message


def test_two_execs_with_one_basename_are_refused():
    message = refusal(MINIMAL + """
[alias.a]
image = "a"
exec = ["/opt/a/run"]
[alias.b]
image = "b"
exec = ["/opt/b/run"]
""")
    assert '"run"' in message and "rename one" in message


@pytest.mark.parametrize("key", [
    "[options.common]\nrun = ['--volume={{.http_proxy}}']",
    "[volume.v]\nvolume = 'kind=host,source={{.SCRATCH}}'",
    "[volume.v]\nvolume = 'kind=empty'\nmount = 'target={{ HOME }}'",
])
def test_environment_variables_outside_environment_tables_are_refused(key):
    message = refusal(MINIMAL + key + "\n")
    assert "may be used outside environment tables" in message


def test_environment_tables_may_use_environment_variables():
    config = parse(MINIMAL + """
[environment]
http_proxy = "{{.http_proxy}}"
[alias.x]
image = "i"
environment = { TERM = "{{ TERM }}" }
""")
    assert config.doc["environment"]["http_proxy"] == "{{.http_proxy}}"


@pytest.mark.parametrize("template", ["{{.Uid", "{{ not-a-name }}", "{{}}"])
def test_a_malformed_template_is_refused(template):
    message = refusal(MINIMAL + f"[options.common]\nrun = ['{template}']\n")
    assert "options.common.run" in message


def test_invalid_toml_is_refused_with_its_position():
    message = refusal(MINIMAL + "[alias\n")
    assert "not valid TOML" in message and "line 2" in message


def test_binary_content_is_refused_without_echoing_it():
    with pytest.raises(ConfigError) as caught:
        configuration.parse("/etc/test.toml", b"\xff\xfesecret-bytes")
    assert "secret" not in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_a_missing_config_names_the_path(tmp_path):
    with pytest.raises(ConfigError) as caught:
        configuration.load(str(tmp_path / "absent.toml"))
    assert "absent.toml does not exist" in str(caught.value)


def test_a_directory_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError) as caught:
        configuration.load(str(tmp_path))
    assert "cannot read config" in str(caught.value)


@pytest.mark.parametrize("text, key", [
    ('rkt = "rkt"\n', "rkt"),
    ('rkt = ""\n', "rkt"),
    ('rkt = "bin/rkt"\n', "rkt"),
    ('runtime = "podman"\npodman = "podman"\n', "podman"),
    (MINIMAL + 'podman = "./podman"\n', "podman"),
    (MINIMAL + 'audit-log = "rkt-run.log"\n', "audit-log"),
    (MINIMAL + 'audit-log = ""\n', "audit-log"),
])
def test_a_runtime_or_audit_log_that_is_not_an_absolute_path_is_refused(text, key):
    assert f"{key} must be an absolute path" in refusal(text)


@pytest.mark.parametrize("text", [
    'rkt = "bin\\nrkt"\n',
    MINIMAL + 'runtime = "rkt\\u2028podman"\n',
    MINIMAL + '[options.common]\nrun = ["{{\\n}}"]\n',
])
def test_a_refusal_quoting_a_line_break_stays_one_line(text):
    message = refusal(text)
    assert "\\n" in message or "\\u2028" in message


@pytest.mark.parametrize("text, key", [
    ('rkt = "/usr/{{.Username}}/rkt"\n', "rkt"),
    ('runtime = "podman"\npodman = "/opt/{{.Uid}}/podman"\n', "podman"),
    (MINIMAL + 'audit-log = "/var/log/{{.Username}}.log"\n', "audit-log"),
    (MINIMAL + 'default-interactive-cmd = "{{.HomeDir}}/sh"\n',
     "default-interactive-cmd"),
    (MINIMAL + '[auto-image-prefix]\n"{{.Username}}/" = "docker://x/"\n',
     'auto-image-prefix."{{.Username}}/"'),
    (MINIMAL + '[auto-image-prefix]\n"x/" = "docker://{{.Username}}/"\n',
     'auto-image-prefix."x/"'),
    (MINIMAL + '[alias."{{.Uid}}"]\nimage = "i"\n', 'alias."{{.Uid}}"'),
    (MINIMAL + '[alias.x]\nimage = "docker://{{.Username}}/i"\n', "alias.x.image"),
    (MINIMAL + '[alias.x]\nimage = "i"\nexec = ["{{.HomeDir}}/bin/t"]\n',
     "alias.x.exec"),
])
def test_a_template_in_a_key_that_is_never_rendered_is_refused(text, key):
    message = refusal(text)
    assert message.startswith(f"/etc/test.toml: {key} ")
    assert ("templates are expanded only in options, volumes and environment "
            "tables") in message


@pytest.mark.parametrize("text", ["a = " + "[" * 5000, "a = " + "{b = " * 5000],
                         ids=["arrays", "inline tables"])
def test_deeply_nested_toml_is_refused_in_one_line(text):
    assert "nest too deeply to read; flatten them" in refusal(MINIMAL + text)


@pytest.mark.parametrize("name", [
    "a,kind=host,source=/etc", "Home", "my_data", "-x", "x-", "a--b", "", "a b",
    "données",
])
def test_a_volume_name_rkt_would_not_accept_is_refused(name):
    message = refusal(MINIMAL + f'[volume."{name}"]\nvolume = "kind=empty"\n')
    assert message.startswith(f'/etc/test.toml: volume."{name}" is not a name ')
    assert "lower-case letters and digits" in message


@pytest.mark.parametrize("name", ["home", "volume-config", "r2", "0-data"])
def test_volume_names_in_rkts_form_are_accepted(name):
    config = parse(MINIMAL + f'[volume."{name}"]\nvolume = "kind=empty"\n')
    assert name in config.doc["volume"]


@pytest.mark.parametrize("name, reason", [
    ("", "as it is empty"),
    ("a b", "as it contains spaces or control characters"),
    ("a\\tb", "as it contains spaces or control characters"),
    ("a\\nb", "as it contains spaces or control characters"),
    ("-x", 'as it starts with "-"'),
])
def test_an_alias_no_one_could_name_on_the_command_line_is_refused(name, reason):
    message = refusal(MINIMAL + f'[alias."{name}"]\nimage = "i"\n')
    assert message.startswith(f'/etc/test.toml: alias."{name}" is a name no one '
                              "can run, " + reason)
    assert message.endswith("rename the alias")


@pytest.mark.parametrize("exe, reason", [
    ("/usr/bin/", "as its file name is empty"),
    ("/usr/bin/my tool", "as its file name contains spaces or control"),
    ("/usr/bin/-x", 'as its file name starts with "-"'),
])
def test_an_exec_whose_file_name_no_one_could_name_is_refused(exe, reason):
    message = refusal(MINIMAL + f'[alias.x]\nimage = "i"\nexec = ["{exe}"]\n')
    assert message.startswith(f'/etc/test.toml: alias.x.exec entry "{exe}" gives '
                              "an alias no one can run, " + reason)


def test_an_exec_with_a_control_character_is_refused():
    message = refusal(MINIMAL + '[alias.x]\nimage = "i"\nexec = ["/opt/a\\nb/t"]\n')
    assert "alias.x.exec entries must be non-empty, free of control" in message


@pytest.mark.parametrize("description", [
    "two\\nlines", "a\\ttab", "a\\u2028line separator", "a\\u001b[31mred",
    "a\\u202eright-to-left override",
])
def test_a_description_that_would_break_the_listings_lines_is_refused(description):
    message = refusal(MINIMAL + f'[alias.x]\nimage = "i"\n'
                      f'description = "{description}"\n')
    assert message.startswith("/etc/test.toml: alias.x.description contains a "
                              "line break or another control character")


def test_a_description_may_use_any_printable_text():
    text = "Burrows\u2013Wheeler aligner\u00a0: short reads, \u00e9 \u4e2d"
    config = parse(MINIMAL + f'[alias.x]\nimage = "i"\ndescription = "{text}"\n')
    assert config.doc["alias"]["x"]["description"] == text


def test_an_exec_named_like_its_own_alias_asks_for_the_alias_to_be_renamed():
    message = refusal(MINIMAL + '[alias.bwa]\nimage = "i"\nexec = ["/usr/bin/bwa"]\n')
    assert message == (
        '/etc/test.toml: alias.bwa.exec entry "/usr/bin/bwa" already gets an alias '
        'of its own name, "bwa", which is this alias\'s name too; rename the '
        'alias, e.g. to "bwa_" as rktrunner names image aliases')
