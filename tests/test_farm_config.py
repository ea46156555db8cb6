"""Board farms without a farm: what DEVICE=labgrid:... means, the place's serial URL, the flash
template's farm placeholders, the labgrid environment's install guard, and labgrid's pytest plugin
kept out of this test run."""

from __future__ import annotations

import pytest
from test_device import with_flash

from autodeploy.board import Device, DeviceError, FarmBoard, open_board
from autodeploy.farm import environment
from autodeploy.farm.lease import Place
from autodeploy.farm.request import DEFAULT_COORDINATOR, FarmError, FarmRequest, parse_device


def test_a_place_name_or_tags():
    named = parse_device("labgrid:apollo510-3")
    assert named == FarmRequest({"name": "apollo510-3"}, DEFAULT_COORDINATOR)
    assert named.named and named.label == "place apollo510-3"
    tagged = parse_device("labgrid:board=apollo510_evb, rack=b", "127.0.0.9:20408")
    assert tagged.filter == {"board": "apollo510_evb", "rack": "b"}
    assert not tagged.named and tagged.label == "board=apollo510_evb,rack=b"
    assert tagged.coordinator == "127.0.0.9:20408"  # parsed, never contacted


@pytest.mark.parametrize(
    "device, expected",
    [
        ("labgrid:", "names no place and no tags"),
        ("labgrid:Board=x", "'Board=x' is not KEY=VALUE"),
        ("labgrid:board=", "'board=' is not KEY=VALUE"),
        ("labgrid:board=a,board=b", "tag 'board' is given twice"),
        ("labgrid:my place", "'my place' is not a place name"),
    ],
)
def test_bad_farm_devices_are_explained(device, expected):
    with pytest.raises(FarmError, match=expected):
        parse_device(device)


def test_the_places_serial_port_as_a_pyserial_url():
    def place(host, protocol):
        serial = {"host": host, "port": 4000, "protocol": protocol}
        return Place("p", {}, host, False, serial, False)

    assert place("127.0.0.1", "raw").url == "socket://127.0.0.1:4000"
    assert place("lab1", "rfc2217").url == "rfc2217://lab1:4000?ign_set_control"
    assert place("fd00::7", "raw").url == "socket://[fd00::7]:4000"


def test_the_flash_template_gets_the_places_fields(tmp_path):
    platform = with_flash("flash --probe {tags[probe]} --on {host}:{place} {elf} {device}")
    board = Device(platform, tmp_path / "fw.elf", tmp_path / "log", "socket://127.0.0.1:5")
    fields = {"host": "lab1", "place": "p7", "tags": {"probe": "0042"}}
    assert board.flash_command("/cache/fw.elf", **fields) == [
        "flash", "--probe", "0042", "--on", "lab1:p7", "/cache/fw.elf", "socket://127.0.0.1:5",
    ]  # fmt: skip
    with pytest.raises(DeviceError, match="place p7 has no tag 'probe'.*set-tags probe="):
        board.flash_command(**{**fields, "tags": {}})
    with pytest.raises(DeviceError, match=r"uses \{tags\}, which only a board from a farm has"):
        board.flash_command()  # DEVICE=/dev/ttyACM0 with a farm's template


def test_open_board_gives_a_farm_board_for_labgrid_devices(tmp_path):
    board = open_board(with_flash("f {elf}"), tmp_path / "fw.elf", tmp_path / "l", "labgrid:p1")
    assert isinstance(board, FarmBoard) and board.lease.request.filter == {"name": "p1"}


def test_the_labgrid_environment_never_replaces_a_folder_that_is_not_one(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    monkeypatch.setenv("AUTODEPLOY_LABGRID_VENV", str(folder))
    with pytest.raises(FarmError, match="exists and is not a virtual environment"):
        environment.labgrid_python(progress=lambda line: None)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_labgrids_pytest_plugin_is_kept_out_of_this_run(pytestconfig):
    # labgrid lives in its own environment; were it installed here, its plugin would be blocked
    assert pytestconfig.pluginmanager.is_blocked("labgrid")
