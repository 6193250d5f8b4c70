"""Amendment files: parsing, every error message, and what each kind of statement does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TABLES

from statusproof.model import (
    bundled_amendments,
    default_amendments,
    load_model,
)
from statusproof.model.amend import (
    AmendmentSet,
    CauseDecl,
    TimerDecl,
    load_amendments,
    parse_amendments,
)
from statusproof.model.errors import AmendmentError, StatusproofError
from statusproof.model.model import GuardKind, TerminalKind
from statusproof.model.table import Column

TICKET = TABLES / "ticket-lifecycle.txt"
REVIEW = TABLES / "ticket-lifecycle.review.toml"


def test_parse_every_kind() -> None:
    amendments = load_amendments(REVIEW, "review.toml")
    assert isinstance(amendments, AmendmentSet)
    assert amendments.path == "review.toml"
    (alias,) = amendments.aliases
    assert (alias.name, alias.status) == ("Spam", "Closed (after resolution)")
    assert alias.span is not None and str(alias.span) == "review.toml:5"
    (addition,) = amendments.additions
    assert (addition.source_status, addition.target) == ("Open", "Merged")
    assert amendments.history is not None and amendments.history.remember == ("On Hold",)
    assert amendments.causes == (CauseDecl(
        "Expired", "expiry",
        (("reply", "the customer did not reply within seven days"),
         ("retention", "the retention policy deleted it")),
        "Expired's description"),)
    first, second = amendments.timers
    assert first == TimerDecl("Pending", "Expired", 7 * 86400, None, None, False, "reply",
                              "reply deadline",
                              "Expired's description: 'did not reply within seven days'")
    assert (second.seconds, second.minimum, second.maximum, second.never) == (
        None, 86400, 30 * 86400, True)
    assert [t.span.line for t in amendments.timers if t.span] == [25, 33]


def test_fill_statement() -> None:
    text = ('[[fill]]\nstatus = "X"\ncolumn = "Previous"\nentries = ["A", " B "]\n'
            'source = "s"\n')
    (fill,) = parse_amendments(text, "a.toml").fills
    assert (fill.status, fill.column, fill.entries) == ("X", Column.PREVIOUS, ("A", "B"))


def test_durations() -> None:
    text = '[[timer]]\nstatus = "A"\nto = "B"\nseconds = {}\nsource = "s"\n'
    for written, seconds in (("300", 300), ('"300s"', 300), ('"5m"', 300), ('"2h"', 7200),
                             ('"14d"', 14 * 86400), ('" 1m "', 60)):
        assert parse_amendments(text.format(written), "a.toml").timers[0].seconds == seconds


ERRORS = [
    ("fill = [", r"^a\.toml:1: not valid TOML: "),
    ("[[allias]]\nname = 'x'\n", r"^a\.toml:1: unknown amendment kind\(s\) allias; use alias, "
                                 r"fill, add, history, cause, timer, reading$"),
    ("alias = ['x']\n", r"^a\.toml:1: \[alias\] must be a table of keys$"),
    ("\n[[alias]]\nname = 'x'\nstatus = 'y'\n",
     r"^a\.toml:2: this alias statement has no 'source'; every amendment must say where its "
     r"fact comes from$"),
    ("[[alias]]\nname = 'x'\nstatus = 'y'\nsource = '  '\n", r"has no 'source'"),
    ("[[alias]]\nname = 'x'\nsource = 's'\n", r"^a\.toml:1: missing text field 'status'$"),
    ("[[alias]]\nname = 'x'\nstatus = 'y'\nsource = 's'\nnote = 'n'\n",
     r"^a\.toml:1: unknown key\(s\) note in this alias statement; use name, source, status$"),
    ("[[fill]]\nstatus = 'x'\ncolumn = 'next'\nentries = []\nsource = 's'\n",
     r"^a\.toml:1: 'entries' must be a non-empty list of names$"),
    ("[[fill]]\nstatus = 'x'\ncolumn = 'status'\nentries = ['a']\nsource = 's'\n",
     r"^a\.toml:1: column 'status' cannot be filled; use previous, next or description$"),
    ("[history]\nremember = 'x'\nsource = 's'\n",
     r"^a\.toml:1: 'remember' must be a non-empty list of names$"),
    ("[[history]]\nremember = ['a']\nsource = 's'\n[[history]]\nremember = ['b']\n"
     "source = 's'\n", r"^a\.toml:4: a second history statement"),
    ("[[cause]]\nstatus = 'x'\nvariable = 'v'\nvalues = ['a']\nsource = 's'\n",
     r"^a\.toml:1: 'values' must map each cause name to the condition text it stands for$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nsource = 's'\n",
     r"^a\.toml:1: a timer needs 'seconds', or 'minimum' and 'maximum'$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nminimum = '5m'\nsource = 's'\n",
     r"a timer needs 'seconds', or 'minimum' and 'maximum'"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nminimum = '2h'\nmaximum = '1h'\nsource = 's'\n",
     r"^a\.toml:1: minimum 7200s is above maximum 3600s$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nseconds = true\nsource = 's'\n",
     r"^a\.toml:1: a duration must be a number of seconds or like '5m'$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nseconds = '5 weeks'\nsource = 's'\n",
     r"^a\.toml:1: '5 weeks' is not a duration; write seconds or e\.g\. '5m', '14d'$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nseconds = -3\nsource = 's'\n",
     r"-3 is not a duration"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nseconds = 3\ncause = 1\nsource = 's'\n",
     r"^a\.toml:1: 'cause' must be the name of a cause value$"),
    ("[[timer]]\nstatus = 'a'\nto = 'b'\nseconds = 3\nnever = 'no'\nsource = 's'\n",
     r"^a\.toml:1: 'never' must be true or false$"),
]


@pytest.mark.parametrize(("text", "match"), ERRORS)
def test_parse_errors(text: str, match: str) -> None:
    with pytest.raises(AmendmentError, match=match):
        parse_amendments(text, "a.toml")


def test_unreadable_amendment_file(tmp_path: Path) -> None:
    with pytest.raises(AmendmentError, match=r"^gone\.toml: cannot read the amendment file: "):
        load_amendments(tmp_path / "missing.toml", "gone.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"about = '\xff'\n")
    with pytest.raises(AmendmentError, match="cannot read the amendment file"):
        load_amendments(bad)


# Errors found when the amendments meet the table (ticket-lifecycle.txt).
APPLY_ERRORS = [
    ('[[fill]]\nstatus = "Pendng"\ncolumn = "next"\nentries = ["Open"]\nsource = "s"\n',
     r"^a\.toml:1: fill names 'Pendng', which has no row; did you mean 'Pending'\?$"),
    ('[[fill]]\nstatus = "Pending"\ncolumn = "next"\nentries = ["Open"]\nsource = "s"\n',
     r"^a\.toml:1: fill for the Next status cell of 'Pending': the table already documents "
     r"it \(line 31\); an amendment may only fill an empty cell$"),
    ('[[alias]]\nname = "Junk"\nstatus = "Spamm"\nsource = "s"\n',
     r"^a\.toml:1: alias target 'Spamm' has no row$"),
    ('[[alias]]\nname = "Closed"\nstatus = "Open"\nsource = "s"\n',
     r"^a\.toml:1: 'Closed' already names the row 'Closed \(after resolution\)'; an alias may "
     r"only name a status that has no row$"),
    ('[[cause]]\nstatus = "Expird"\nvariable = "v"\nvalues = { a = "x" }\nsource = "s"\n',
     r"^a\.toml:1: cause for 'Expird', which has no row; did you mean 'Expired'\?$"),
    ('\n\n[[cause]]\nstatus = "Expired"\nvariable = "v"\nvalues = { a = "x" }\nsource = "s"\n',
     r"^a\.toml:3: the cause of 'Expired' has no value for the condition 'the customer did not "
     r"reply within seven days' \(table line 84\); add it to 'values'$"),
    ('[[add]]\nfrom = "Opn"\nto = "Closed"\nsource = "s"\n',
     r"^a\.toml:1: 'from' 'Opn' has no row; did you mean 'Open'\?$"),
    ('[history]\nremember = ["On Hold", "Paused"]\nsource = "s"\n',
     r"^a\.toml:1: history names 'Paused', which has no row$"),
    ('[[timer]]\nstatus = "Pending"\nto = "Expird"\nseconds = 5\nsource = "s"\n',
     r"^a\.toml:1: timer names 'Expird', which is not a status; did you mean 'Expired'\?$"),
    ('[[timer]]\nstatus = "Pending"\nto = "Expired"\nseconds = 5\ncause = "late"\nsource = "s"\n',
     r"^a\.toml:1: timer cause 'late' is not a value of the cause of 'Expired'; use one of "
     r"the customer did not reply within seven days, the retention policy deleted it$"),
    ('[[timer]]\nstatus = "Pending"\nto = "Open"\nseconds = 5\ncause = "late"\nsource = "s"\n',
     r"timer cause 'late' is not a value of the cause of 'Open'; 'Open' has no conditional "
     r"exits to choose"),
]


@pytest.mark.parametrize(("text", "match"), APPLY_ERRORS)
def test_apply_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                      match: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.toml").write_text(text, encoding="utf-8")
    with pytest.raises(AmendmentError, match=match):
        load_model(TICKET, amendments="a.toml")


def test_raw_with_amendments_is_an_error() -> None:
    with pytest.raises(StatusproofError, match=r"--raw checks the table alone; do not give an "
                                               r"amendment file too"):
        load_model(TICKET, raw=True, amendments=REVIEW)


def test_every_kind_applied_to_the_ticket_table() -> None:
    raw = load_model(TICKET)
    model = load_model(TICKET, amendments=REVIEW)
    assert raw.amendments == ()
    assert [(a.kind, a.statement) for a in model.amendments] == [
        ("alias", "'Spam' is the row 'Closed (after resolution)'"),
        ("add", "Open -> Merged"),
        ("history", "remember the status to return to in: On Hold"),
        ("cause", "Expired: expiry in {reply, retention}"),
        ("timer", "Pending -> Expired (reply deadline)"),
        ("timer", "On Hold -> Expired (retention policy (1-30 days, or never))"),
    ]
    assert [a.span.line for a in model.amendments if a.span] == [5, 10, 15, 19, 25, 33]
    # alias: Spam is no longer an undefined exit
    assert "Spam" in raw.names and "Spam" not in model.names
    assert ("New", "Closed (after resolution)") in {(t.source, t.target)
                                                    for t in model.transitions}
    # add: a step no cell lists, marked with its source
    (merge,) = [t for t in model.transitions if t.target == "Merged"]
    assert merge.amendment == "Support handbook: an agent may merge a ticket into another one"
    assert model.status("Merged").terminal is TerminalKind.EXIT
    # cause: the conditions get the amendment's names
    guards = [t.guard for t in model.outgoing("Expired") if t.guard is not None]
    assert [(g.kind, g.variable, g.values) for g in guards] == [
        (GuardKind.CONDITION, "expiry", ("reply",)),
        (GuardKind.CONDITION, "expiry", ("retention",))]
    cause = model.cause_of("Expired")
    assert cause is not None and cause.source == "Expired's description"
    # timers resolved to statuses
    assert [(t.status, t.target, t.seconds, t.cause) for t in model.timers] == [
        ("Pending", "Expired", 604800, "reply"), ("On Hold", "Expired", None, "retention")]


def test_history_statement_replaces_what_the_guards_imply(tmp_path: Path) -> None:
    amend = tmp_path / "a.toml"
    amend.write_text('[history]\nremember = ["on hold", "Escalated"]\nsource = "s"\n')
    assert load_model(TICKET).remembering == ("On Hold",)
    assert load_model(TICKET, amendments=amend).remembering == ("On Hold", "Escalated")


def test_fill_an_empty_cell(tmp_path: Path) -> None:
    table = TABLES / "ticket-columns.txt"
    amend = tmp_path / "a.toml"
    amend.write_text('[[fill]]\nstatus = "Published"\ncolumn = "previous"\n'
                     'entries = ["Draft"]\nsource = "editor"\n')
    model = load_model(table, amendments=amend)
    published = model.status("Published")
    assert published.previous_documented
    assert published.previous_span is not None and str(published.previous_span) == f"{amend}:1"
    (step,) = [t for t in model.transitions if t.target == "Published"]
    assert step.columns == frozenset({Column.NEXT, Column.PREVIOUS})


def test_amendment_file_beside_the_table_is_found(tmp_path: Path) -> None:
    table = tmp_path / "tickets.txt"
    shutil.copy(TICKET, table)
    assert default_amendments(table) is None
    shutil.copy(REVIEW, tmp_path / "tickets.amend.toml")
    assert default_amendments(table) == tmp_path / "tickets.amend.toml"
    assert len(load_model(table).amendments) == 6
    assert load_model(table, raw=True).amendments == ()


def test_bundled_amendments_settle_the_seed() -> None:
    assert bundled_amendments().name == "rescue-session-statuses.amend.toml"
    raw = load_model(raw=True)
    model = load_model()
    assert "Closed by technician" in raw.names
    assert "Closed by technician" not in model.names
    closing = "Removed from TC queue (after closed by technician)"
    assert {t.source for t in model.incoming(closing)} == {
        "Active", "Closed (by active customer)", "Offline", "Rebooting", "Timed out"}
    assert model.remembering == ("Offline", "Rebooting", "Reconnecting")
    cause = model.cause_of("Timed out")
    assert cause is not None and [v for v, _ in cause.values] == ["admin", "system"]
    assert {(t.status, t.cause) for t in model.timers} >= {("Waiting", "admin"),
                                                           ("Active", "system")}
    assert all(a.source for a in model.amendments)
