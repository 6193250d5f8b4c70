"""Name maps: the bundled Rescue map, automatic matching, map files and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from statusproof.logcheck.namemap import (
    Kind,
    MapError,
    NameMap,
    bundled_map,
    default_map,
    load_map,
    parse_map,
)
from statusproof.model import load_model
from statusproof.model.model import Model

PARCEL = Path(__file__).resolve().parent / "fixtures" / "logs" / "parcel.txt"

#: Every status string the Rescue API documents for getSession, and what the bundled map and
#: automatic matching make of it.
RESCUE_API = {
    "Aborted": (Kind.AUTOMATIC, ("Aborted",)),
    "Active": (Kind.AUTOMATIC, ("Active",)),
    "Closed by active customer": (Kind.AUTOMATIC, ("Closed (by active customer)",)),
    "Closed by customer": (Kind.MAPPED, ("Closed (by active customer)",
                                         "Closed by waiting customer")),
    "Closed by technician": (Kind.MAPPED,
                             ("Removed from TC queue (after closed by technician)",)),
    "Closed by waiting customer": (Kind.AUTOMATIC, ("Closed by waiting customer",)),
    "Connecting": (Kind.AUTOMATIC, ("Connecting",)),
    "Disconnected": (Kind.UNMODELLED, ()),
    "Not available": (Kind.UNMODELLED, ()),
    "Offline": (Kind.AUTOMATIC, ("Offline",)),
    "On Hold": (Kind.AUTOMATIC, ("On Hold",)),
    "Rebooted": (Kind.UNMODELLED, ()),
    "Rebooting": (Kind.AUTOMATIC, ("Rebooting",)),
    "Reconnecting": (Kind.AUTOMATIC, ("Reconnecting",)),
    "Timed out": (Kind.AUTOMATIC, ("Timed out",)),
    "Timed out: closed by technician": (
        Kind.MAPPED, ("Removed from TC queue (after closed by technician)",)),
    "Transferred": (Kind.UNMODELLED, ()),
    "Transferring": (Kind.UNMODELLED, ()),
    "Waiting": (Kind.AUTOMATIC, ("Waiting",)),
}


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def parcel() -> Model:
    return load_model(PARCEL)


@pytest.mark.parametrize("name", sorted(RESCUE_API))
def test_bundled_map_resolves_every_documented_api_status(rescue: Model, name: str) -> None:
    res = default_map(rescue).resolve(name)
    assert (res.kind, res.statuses) == RESCUE_API[name]


def test_bundled_map_is_package_data_and_the_default_only_for_the_bundled_table(
        rescue: Model, parcel: Model) -> None:
    assert bundled_map().is_file()
    assert default_map(rescue).source == "<bundled>/rescue-getsession.map.toml"
    assert default_map(parcel).entries == {}


def test_unknown_names_are_reported_not_guessed(rescue: Model) -> None:
    names = NameMap(rescue)
    typo = names.resolve("Rebootng")
    assert typo.kind is Kind.UNKNOWN
    assert typo.reason == ("not a status of the table and not in the map; did you mean "
                           "'Rebooting'? (map it with --map)")
    assert names.resolve("Frozen").reason == ("not a status of the table and not in the map "
                                              "(map it with --map)")
    # without the bundled map, the API's name for the technician's close is not guessed
    assert names.resolve("Closed by technician").kind is Kind.UNKNOWN


def test_automatic_matching_ignores_case_spacing_and_brackets(parcel: Model) -> None:
    names = NameMap(parcel)
    assert names.resolve("  out FOR   delivery. ").statuses == ("Out for delivery",)
    assert names.resolve("in transit").kind is Kind.AUTOMATIC


def test_brackets_that_make_two_names_alike_are_ambiguous(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text("Open\n| New.\n| none\n|\n- Closed (by user)\n- Closed by user\n|\n"
                     "Closed (by user)\n| Done.\n|\n- Open\n| none\n|\n"
                     "Closed by user\n| Done too.\n|\n- Open\n| none\n|\n")
    names = NameMap(load_model(table))
    assert names.resolve("Closed (by user)").statuses == ("Closed (by user)",)
    res = names.resolve("closed [by user]")
    assert res.kind is Kind.UNKNOWN
    assert res.reason == ("matches several statuses (Closed (by user), Closed by user); say "
                          "which in a map file (--map)")


def test_toml_map_file(tmp_path: Path, parcel: Model) -> None:
    path = tmp_path / "carrier.map.toml"
    path.write_text('about = "carrier API"\n[status]\n"OUT_FOR_DELIVERY" = "Out for delivery"\n'
                    '"AT_DEPOT" = ["Held", "In transit"]\n"CUSTOMS" = []\n')
    names = load_map(path, parcel)
    assert names.resolve("out_for_delivery").statuses == ("Out for delivery",)
    assert names.resolve("AT_DEPOT").statuses == ("Held", "In transit")
    assert names.resolve("CUSTOMS").kind is Kind.UNMODELLED
    assert names.recorded_name("Out for delivery") == "OUT_FOR_DELIVERY"
    assert names.recorded_name("Held") == "Held"  # only named together with another status


def test_line_map_file(tmp_path: Path, parcel: Model) -> None:
    path = tmp_path / "carrier.map"
    path.write_text("# carrier codes\nOFD = Out for delivery\nDEPOT = held | in transit\n"
                    "CUSTOMS =\n")
    names = load_map(path, parcel)
    assert names.resolve("OFD").statuses == ("Out for delivery",)
    assert names.resolve("depot").statuses == ("Held", "In transit")
    assert names.resolve("CUSTOMS").kind is Kind.UNMODELLED


@pytest.mark.parametrize(("name", "text", "message"), [
    ("m.map", "OFD = Out for delivry\n",
     r"m\.map:1: 'Out for delivry' is not a status of the table .*parcel\.txt; did you mean "
     r"'Out for delivery'\?"),
    ("m.map", "# codes\nOFD Out for delivery\n",
     r"m\.map:2: expected 'recorded name = table status'; got 'OFD Out for delivery'"),
    ("m.map", " = Held\n", r"m\.map:1: the recorded name before '=' is empty"),
    ("m.map.toml", '[status]\n"A" = "Held"\n"B" = "Nowhere"\n',
     r"m\.map\.toml:3: 'Nowhere' is not a status of the table .*; statuses: Registered, "),
    ("m.map.toml", '[status]\n"A" = 5\n',
     r"m\.map\.toml:2: the entry for 'A' must be a status name or a list of status names"),
    ("m.map.toml", 'statuses = {}\n', r"m\.map\.toml: unknown key\(s\) statuses; a map file has "
                                      r"'about', 'table' and a \[status\] table"),
    ("m.map.toml", '[status\n', r"m\.map\.toml: not valid TOML"),
])
def test_map_file_errors_say_where_and_how_to_fix(tmp_path: Path, parcel: Model, name: str,
                                                  text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(MapError, match=message):
        load_map(path, parcel, name)


def test_missing_map_file(tmp_path: Path, parcel: Model) -> None:
    with pytest.raises(MapError, match=r"nope\.map: cannot read the map file"):
        load_map(tmp_path / "nope.map", parcel, "nope.map")


def test_parse_map_doctest_style(rescue: Model) -> None:
    names = parse_map("Busy = Active\n", "inline.map", rescue)
    assert names.resolve("BUSY").kind is Kind.MAPPED
