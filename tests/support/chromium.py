"""Headless Chromium for report tests: load a static page from disk, report its visible text and
whether every image loaded, optionally save a screenshot.

Chromium has no API here, only --dump-dom, so a probe copy of the page (same folder, so relative
links resolve) carries a small script that, on load, writes the page's innerText and each image's
state into a <pre> as JSON; the dumped DOM is parsed back."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BINARIES = ("chromium", "chromium-browser")
TIMEOUT_S = 60
PROBE_ID = "adrt-probe"
PROBE_SCRIPT = f"""<script>
window.addEventListener("load", () => {{
  const images = Array.from(document.images).map(
    (img) => [img.getAttribute("src"), img.complete && img.naturalWidth > 0, img.naturalWidth]);
  const probe = document.createElement("pre");
  probe.id = "{PROBE_ID}";
  probe.textContent = JSON.stringify({{text: document.body.innerText, images: images}});
  document.body.appendChild(probe);
}});
</script>"""
PROBE_OUT = re.compile(rf'<pre id="{PROBE_ID}">(.*?)</pre>', re.DOTALL)


class ChromiumMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Rendered:
    text: str  # visible text of the page after load
    images: list[tuple[str, bool, int]]  # (src, loaded, natural width)

    @property
    def broken(self) -> list[str]:
        return [src for src, loaded, _ in self.images if not loaded]


def chromium() -> str:
    for name in BINARIES:
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumMissing(
        "chromium is not installed: run scripts/setup.sh (apt package 'chromium') to render "
        "the HTML reports in tests"
    )


def _run(args: list[str], profile_dir: str) -> str:
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile_dir}",
            "--virtual-time-budget=5000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return result.stdout


def render(
    page: Path, screenshot: Path | None = None, width: int = 1280, height: int = 2000
) -> Rendered:
    """Load `page` (a file) in headless Chromium; screenshot it (width x height) if asked."""
    page = Path(page).resolve()
    source = page.read_text(encoding="utf-8")
    if "</body>" not in source:
        raise ValueError(f"{page}: no </body> to inject the probe before")
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(source.replace("</body>", PROBE_SCRIPT + "</body>", 1), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="chromium-") as profile_dir:
            dom = _run(["--dump-dom", probe.as_uri()], profile_dir)
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                _run(
                    [
                        f"--window-size={width},{height}",
                        f"--screenshot={screenshot}",
                        page.as_uri(),
                    ],
                    profile_dir,
                )
                if not screenshot.exists():
                    raise RuntimeError(f"chromium wrote no screenshot {screenshot}")
    finally:
        probe.unlink(missing_ok=True)
    match = PROBE_OUT.search(dom)
    if match is None:
        raise RuntimeError(f"{page}: the probe did not run (page never finished loading?)")
    found = json.loads(html.unescape(match.group(1)))
    return Rendered(text=found["text"], images=[tuple(i) for i in found["images"]])
