"""Choosing in rkt-tui through Textual's pilot: the preview follows every choice.

Each test starts the real app on a small site written inline, for a fixed
caller (alice, uid 1000), and reads what the screen shows.
"""

import pytest
from conftest import drive
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.preview import command_line
from textual.events import Key
from textual.keys import _character_to_key
from textual.widgets import Checkbox, Input, Select, Switch

from rkttui.app import RktTui
from rkttui.screens.main import SETTLE_DELAY
from rkttui.site import Site
from rkttui.widgets.catalogue_list import CatalogueList
from rkttui.widgets.command_preview import CommandPreview

pytestmark = pytest.mark.usefixtures("own_settings")

ALICE = Caller(1000, 1000, [], "alice", "/home/alice")
SIZE = (120, 45)
SITE = """
rkt = "/usr/bin/rkt"

[options.common]
image = ["--user={{.Uid}}", "--group={{.Gid}}"]

[volume.home]
volume = "kind=host,source={{.HomeDir}}"
mount = "target={{.HomeDir}}"

[volume.project]
volume = "kind=host,source=/srv/projects"
mount = "target=/projects"
on-request = true

[allow]
exec = ALLOW_EXEC
interactive = ALLOW_INTERACTIVE
set-env = SET_ENV

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
description = "Burrows-Wheeler aligner"

[alias."blast-2.15"]
image = "quay.io/biocontainers/blast:2.15.0--pl5321h6f7f691_1"
exec = ["blastn", "makeblastdb"]
description = "Search nucleotide databases"
environment-blacklist = ["BLAST_USAGE_REPORT"]
"""
IMAGES = [{"id": "sha512-0abc", "name": "quay.io/biocontainers/seqkit:2.8.0--0",
           "size": 22347776, "import_time": 1, "last_used_time": 2}]


def make_app(tmp_path, exec="true", interactive="true",
             set_env='["OMP_NUM_THREADS", "BLAST_*"]') -> RktTui:
    text = (SITE.replace("ALLOW_EXEC", exec)
            .replace("ALLOW_INTERACTIVE", interactive).replace("SET_ENV", set_env))
    path = tmp_path / "site.toml"
    path.write_text(text)
    site = Site(configuration.load(str(path)), ALICE, {}, "/home/alice/work",
                images=IMAGES)
    return RktTui(site, rkt_run=None)


def preview(app) -> CommandPreview:
    return app.screen.query_one(CommandPreview)


def shown(app) -> list[str]:
    return [entry.name for entry in app.screen.query_one(CatalogueList).entries]


async def choose(pilot, name: str) -> None:
    """Filter by name and choose the first match, as a user would."""
    await pilot.press("slash", *name, "enter")
    await pilot.pause()


async def type_arguments(pilot, text: str) -> None:
    pilot.app.screen.query_one("#arguments", Input).focus()
    await pilot.press(*text)
    await pilot.pause()


@drive
async def test_slash_filters_the_list_and_counts_the_matches(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"blst")
        await pilot.pause()
        assert shown(app) == ["blastn", "blast-2.15", "makeblastdb"]
        count = str(app.screen.query_one("#match-count").render())
        assert count == "3 of 6 match"


@drive
async def test_the_filter_searches_pulled_images_too(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"seqkit")
        await pilot.pause()
        assert shown(app) == ["quay.io/biocontainers/seqkit:2.8.0--0"]


@drive
async def test_escape_clears_the_filter_and_shows_everything_again(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "escape")
        await pilot.pause()
        assert len(shown(app)) == 6


@drive
async def test_arrows_in_the_filter_move_through_the_matches_and_enter_chooses(
        tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"blst", "down", "down", "up", "down")
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "blst"
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#arguments")
        assert preview(app).handoff_text == "rkt-run -- makeblastdb"


@drive
async def test_enter_on_a_filter_that_matches_nothing_keeps_what_was_typed(
        tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"zzz", "enter")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#filter")
        assert app.screen.query_one("#filter").value == "zzz"
        assert shown(app) == []


@drive
async def test_choosing_an_executable_previews_its_exact_command(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        assert app.focused is app.screen.query_one("#arguments")
        assert preview(app).command_text == (
            "/usr/bin/rkt run --set-env-file /proc/self/fd/3 "
            "--volume home,kind=host,source=/home/alice "
            "quay.io/biocontainers/bwa:0.7.17--he4a0461_11 "
            "--mount volume=home,target=/home/alice --user=1000 --group=1000 "
            "--exec bwa --")
        assert preview(app).handoff_text == "rkt-run -- bwa"


@drive
async def test_arguments_are_split_as_a_shell_splits_them(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await type_arguments(pilot, """mem ref.fa 'my reads.fq' "it's\"""")
        plan = preview(app).outcome.plan
        assert plan.argv[-4:] == ["mem", "ref.fa", "my reads.fq", "it's"]
        assert preview(app).handoff_text == (
            "rkt-run -- bwa mem ref.fa 'my reads.fq' 'it'\"'\"'s'")


@drive
async def test_an_unclosed_quote_is_shown_inline_and_nothing_can_run(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await type_arguments(pilot, "mem 'ref.fa")
        problem = app.screen.query_one("#arguments-problem")
        assert problem.display
        assert "no closing quotation" in str(problem.render())
        assert not preview(app).outcome.runnable
        await pilot.press("'")
        await pilot.pause()
        assert not problem.display
        assert preview(app).outcome.plan.argv[-1] == "ref.fa"


@drive
async def test_toggling_an_on_request_volume_adds_it_to_the_command(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        assert "project,kind=host,source=/srv/projects" not in preview(
            app).command_text
        await pilot.click("#volume-project")
        await pilot.pause()
        assert app.screen.query_one("#volume-project", Checkbox).value
        command = preview(app).command_text
        assert "--volume project,kind=host,source=/srv/projects" in command
        assert "--mount volume=project,target=/projects" in command
        assert preview(app).handoff_text == "rkt-run --volume project -- bwa"


@drive
async def test_default_volumes_are_shown_fixed_not_as_toggles(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE):
        toggles = [box.name for box in app.screen.query(Checkbox)]
        fixed = [str(line.render()) for line in app.screen.query(".volume-fixed")]
        assert toggles == ["project"]
        assert fixed == ["■ home  /home/alice → /home/alice  (always mounted)"]


@drive
async def test_a_variable_outside_the_bounds_is_refused_as_you_type(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await pilot.click("#env-add")
        await pilot.press(*"LD_PRELOAD", "tab", *"/tmp/evil.so")
        await pilot.pause()
        row = app.screen.query_one(".env-row")
        verdict = str(row.query_one(".env-verdict").render())
        assert row.has_class("-refused")
        assert verdict == ("✗ this site does not let you set LD_PRELOAD; you may "
                           "set: OMP_NUM_THREADS, BLAST_*")
        assert not preview(app).outcome.runnable
        assert "LD_PRELOAD" in preview(app).outcome.problem


@drive
async def test_a_variable_within_the_bounds_is_allowed_and_planned(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "blastn")
        await pilot.click("#env-add")
        await pilot.press(*"BLAST_DB_THREADS", "tab", *"4")
        await pilot.pause()
        row = app.screen.query_one(".env-row")
        assert row.has_class("-allowed")
        assert str(row.query_one(".env-verdict").render()) == "✓ allowed"
        plan = preview(app).outcome.plan
        assert ("BLAST_DB_THREADS", "4", "--set-env") in plan.environment
        assert preview(app).handoff_text == (
            "rkt-run --set-env BLAST_DB_THREADS=4 -- blastn")


@drive
async def test_an_aliases_blacklist_refuses_a_variable_the_site_allows(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "blastn")
        await pilot.click("#env-add")
        await pilot.press(*"BLAST_USAGE_REPORT", "tab", *"false")
        await pilot.pause()
        verdict = str(app.screen.query_one(".env-verdict").render())
        assert verdict == ("✗ alias blast-2.15 does not let you set "
                           "BLAST_USAGE_REPORT; leave it out")


@drive
async def test_removing_a_refused_variable_makes_the_plan_runnable_again(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await app.screen.query_one("#env-rows").add_row("LD_PRELOAD", "x")
        await pilot.pause()
        assert not preview(app).outcome.runnable
        await pilot.click(".env-remove")
        await pilot.pause()
        assert preview(app).outcome.runnable


@drive
async def test_no_variables_are_offered_where_the_site_allows_none(tmp_path):
    app = make_app(tmp_path, set_env="false")
    async with app.run_test(size=SIZE):
        assert not app.screen.query("#env-rows")


@drive
async def test_an_alias_offers_its_listed_executables_to_choose_from(tmp_path):
    app = make_app(tmp_path, exec="false")
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "blast-2.15")
        select = app.screen.query_one("#exec-select", Select)
        assert select.display
        assert not app.screen.query_one("#exec-text").display
        assert preview(app).handoff_text == "rkt-run --exec blastn -- blast-2.15"
        select.value = "makeblastdb"
        await pilot.pause()
        assert preview(app).outcome.plan.exec == "makeblastdb"


@drive
async def test_a_free_executable_is_offered_only_where_the_site_allows_it(tmp_path):
    app = make_app(tmp_path, exec="true")
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "seqkit")
        typed = app.screen.query_one("#exec-text", Input)
        assert typed.display
        typed.focus()
        await pilot.press(*"seqkit")
        await pilot.pause()
        assert preview(app).handoff_text == (
            "rkt-run --exec seqkit --no-image-prefix -- "
            "quay.io/biocontainers/seqkit:2.8.0--0")

    app = make_app(tmp_path, exec="false")
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "seqkit")
        assert not app.screen.query_one("#exec-text").display
        assert not app.screen.query_one("#exec-select").display
        assert "does not let you name one" in str(
            app.screen.query_one("#exec-fixed").render())


@drive
async def test_interactive_is_a_switch_only_where_the_site_allows_it(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        app.screen.query_one("#interactive", Switch).value = True
        await pilot.pause()
        assert "--interactive" in preview(app).outcome.plan.argv
        assert preview(app).handoff_text == "rkt-run --interactive -- bwa"

    app = make_app(tmp_path, interactive="false")
    async with app.run_test(size=SIZE):
        assert not app.screen.query(Switch)


@drive
async def test_the_explained_view_puts_each_words_origin_beside_it(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await type_arguments(pilot, "mem")
        await pilot.press("ctrl+t")
        await pilot.pause()
        body = str(app.screen.query_one("#preview-command").render())
        lines = [" ".join(line.split()) for line in body.splitlines()]
        assert "quay.io/biocontainers/bwa:0.7.17--he4a0461_11 ← " \
               "alias.bwa-0.7.17.image" in lines
        assert "--user=1000 ← options.common.image" in lines
        assert "mem ← your arguments" in lines
        await pilot.press("ctrl+t")
        await pilot.pause()
        body = str(app.screen.query_one("#preview-command").render())
        assert "←" not in body


@drive
async def test_copy_puts_the_command_and_the_rkt_run_line_on_the_clipboard(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await type_arguments(pilot, "mem 'my reads.fq'")
        await pilot.press("ctrl+y")
        assert app.clipboard == command_line(preview(app).outcome.plan.argv)
        assert app.clipboard.endswith("--exec bwa -- mem 'my reads.fq'")
        await pilot.press("ctrl+o")
        assert app.clipboard == "rkt-run -- bwa mem 'my reads.fq'"


@drive
async def test_the_preview_copies_and_explains_with_its_own_keys(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        preview(app).focus()
        await pilot.press("c")
        assert app.clipboard.startswith("/usr/bin/rkt run")
        await pilot.press("x")
        assert preview(app).explained


@drive
async def test_an_alias_named_on_the_command_line_is_selected_at_start(tmp_path):
    app = make_app(tmp_path)
    app.alias = "makeblastdb"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert preview(app).handoff_text == "rkt-run -- makeblastdb"
        assert app.focused is app.screen.query_one("#arguments")


@drive
async def test_the_palette_offers_every_action(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE):
        names = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Run", "Save as wrapper script", "Copy runtime command",
                "Copy rkt-run command line", "Explained view", "Filter", "Back",
                "Help", "Quit", "Theme: rkt-contrast"} <= names


@drive
async def test_the_palette_runs_an_action_by_name(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await pilot.press("ctrl+p", *"explained view")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert preview(app).explained


@drive
async def test_help_opens_on_f1_and_question_mark_and_closes_on_escape(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f1", "question_mark"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            await pilot.pause()
            assert type(app.screen).__name__ == "MainScreen"


@drive
async def test_every_letter_typed_on_the_list_goes_to_the_filter_q_too(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"qiime")
        await pilot.pause()
        assert app.is_running
        assert app.screen.query_one("#filter", Input).value == "qiime"


@drive
async def test_ctrl_q_quits_from_the_list(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


@drive
async def test_q_quits_from_the_preview_where_nothing_is_typed(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        preview(app).focus()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# Keys typed ahead: a terminal delivers fast typing or a paste in one read, so
# every key reaches the app before the first is acted on.

CHARACTERS = {"enter": "\r", "tab": "\t", "slash": "/", "space": " "}


def key_event(key: str) -> Key:
    """Return the event a terminal gives for a key name or a character."""
    if len(key) == 1:
        return Key(_character_to_key(key), key)
    return Key(key, CHARACTERS.get(key))


async def burst(pilot, *keys: str) -> None:
    """Send keys to the app all at once, as a terminal does, then let it settle."""
    for key in keys:
        pilot.app._driver.send_message(key_event(key))
    await pilot.pause(SETTLE_DELAY * 2)


@drive
async def test_keys_typed_ahead_of_enter_in_the_filter_reach_the_arguments(
        tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "slash", *"bwa", "enter", *"mem x")
        assert app.screen.query_one("#filter", Input).value == "bwa"
        assert app.screen.query_one("#arguments", Input).value == "mem x"
        assert preview(app).handoff_text == "rkt-run -- bwa mem x"


@drive
async def test_arrows_typed_ahead_in_the_filter_move_before_enter_chooses(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "slash", *"blst", "down", "enter", *"-h")
        assert app.screen.query_one("#arguments", Input).value == "-h"
        assert preview(app).handoff_text == "rkt-run --exec blastn -- blast-2.15 -h"


@drive
async def test_a_value_typed_ahead_of_tab_in_a_variable_row_is_its_value(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "bwa")
        await pilot.click("#env-add")
        await pilot.pause()
        await burst(pilot, *"OMP_NUM_THREADS", "tab", "8")
        assert app.screen.query_one("#env-rows").pairs == [("OMP_NUM_THREADS", "8")]
        assert preview(app).handoff_text == (
            "rkt-run --set-env OMP_NUM_THREADS=8 -- bwa")


# What was typed for an entry stays with it while the user looks elsewhere.


@drive
async def test_arguments_typed_for_an_entry_are_still_there_after_moving_away(
        tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose(pilot, "blast-2.15")
        app.screen.query_one("#exec-select", Select).value = "makeblastdb"
        await type_arguments(pilot, "-in 'my db.fa'")
        await pilot.press("escape", "down", "down")
        await pilot.pause()
        assert app.screen.query_one("#arguments", Input).value == ""
        await pilot.press("up", "up")
        await pilot.pause()
        assert app.screen.query_one("#arguments", Input).value == "-in 'my db.fa'"
        assert preview(app).handoff_text == (
            "rkt-run --exec makeblastdb -- blast-2.15 -in 'my db.fa'")


@drive
async def test_the_image_list_arriving_keeps_the_arguments_being_typed(tmp_path):
    from test_tui_errors import site_asking_rkt_run, stand_in_rkt_run, wait_for_note

    # rkt-run answers only once the user has started typing.
    gate = tmp_path / "answer-now"
    rkt_run = stand_in_rkt_run(tmp_path, f"""\
        while [ ! -e {gate} ]; do sleep 0.02; done
        echo '[{{"id": "sha512-1", "name": "quay.io/biocontainers/seqkit:2.8.0--0",
                "size": 1024, "import_time": 1, "last_used_time": 2}}]'
        """)
    app = RktTui(site_asking_rkt_run(tmp_path), alias="bwa-0.7.17", rkt_run=rkt_run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"mem ref")
        gate.touch()
        assert await wait_for_note(pilot, "pulled images: asking rkt-run…") == (
            "1 pulled image")
        await pilot.press(*".fa")
        await pilot.pause()
        assert "quay.io/biocontainers/seqkit:2.8.0--0" in shown(app)
        assert app.screen.query_one("#arguments", Input).value == "mem ref.fa"
        assert preview(app).handoff_text == (
            "rkt-run --exec bwa -- bwa-0.7.17 mem ref.fa")
