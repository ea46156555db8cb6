"""CACHE_DIR=<folder>: a second checkout gets built files and measured reports from SCons' cache
instead of rebuilding and re-measuring them (and logs no new measurement)."""

from __future__ import annotations

from scons_project import SconsProject

PROFILE = "reports/kws/apollo510_evb-gcc-auto-auto-HP/profile.json"


def test_a_second_checkout_reuses_the_first_ones_results(tmp_path) -> None:
    cache = tmp_path / "cache"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = SconsProject(tmp_path / "a")
    first.edit("models.yaml", "  runs: 10\n", "  runs: 2\n")
    built = first.scons("kws-profile", f"CACHE_DIR={cache}")
    assert ("profile", PROFILE.replace(".json", ".csv")) in first.steps(built)
    assert (first.root / "reports/results.csv").is_file()

    second = SconsProject(tmp_path / "b")
    second.edit("models.yaml", "  runs: 10\n", "  runs: 2\n")
    reused = second.scons("kws-profile", f"CACHE_DIR={cache}")
    assert second.steps(reused) == []  # nothing compiled, linked or run on the emulator
    assert f"Retrieved `{PROFILE}' from cache" in reused.stdout
    assert (second.root / PROFILE).read_bytes() == (first.root / PROFILE).read_bytes()
    assert not (second.root / "reports/results.csv").exists()  # no new measurement happened

    # without the cache the second checkout measures for itself
    second.edit("models.yaml", "  runs: 2\n", "  runs: 3\n")
    assert ("profile", PROFILE.replace(".json", ".csv")) in second.steps(
        second.scons("kws-profile", f"CACHE_DIR={cache}")
    )
