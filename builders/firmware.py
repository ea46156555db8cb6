"""Firmware builders: the runtime library per platform+toolchain, and one ELF per variant.

Shared per platform+toolchain (under build/lib/<platform>/<toolchain>/): libadrt.a from the
runtime's C for the platform's target (portable C plus its vector variants, autodeploy.target),
the board-support objects and the app objects (apps find the model through
`adrt_app_model` and `adrt_app_staging`, so one compile serves every model). Per model+platform+
toolchain (build/<model>/obj/<platform>/<toolchain>/): the generated model C, which no longer
depends on the placement. Per variant (variant.build_dir): app_model.c (the glue naming the
model), firmware.ld (from the placement), <app>.elf and .map, sizes.json and sizes.md.

Images boot from the platform's boot memory (autodeploy.memory.boot): the size step also checks
that nothing would be lost at power-up, and the link step writes the CRC-32 of a model the host
uploads into the image (autodeploy.firmware.upload_image). Only apps with a PC link can receive
such a model; for the others the linker-script step fails with the reason.

Compiling and archiving use SCons' own Object/StaticLibrary/Program with CPPPATH, so the C
scanner tracks headers; a toolchain that is not installed fails only the targets that need it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from autodeploy import atomic, children
from autodeploy.errors import AutodeployError
from autodeploy.firmware import toolchains
from autodeploy.firmware.linker import (
    default_target,
    render_linker_script,
    require_link_for_upload,
    used_regions,
)
from autodeploy.home import tool_root
from autodeploy.target import target_for
from builders.common import config_value, engine_sources, read_value, step_action, tool_path

BOARD_INCLUDE = "firmware/board/include"
RUNTIME = "firmware/runtime"

_memo: dict[tuple, object] = {}


class FirmwareLinkError(AutodeployError):
    """The image does not link (most often: a memory region overflows)."""


def _key(env, *parts) -> tuple:
    return (env.Dir("#").abspath, *parts)


def _search_path(env) -> str:
    return os.pathsep.join(p for p in (os.environ.get("PATH"), env["ENV"].get("PATH")) if p)


def missing_board_support(platform, target: str) -> str | None:
    """Why `target` cannot be built for `platform` (a real board without board support), or None.
    Builders declare a failing step with it, so only the targets asked for fail."""
    if target == "board" and platform.board_support is None:
        return (
            f"{platform.file}: a real board was requested (DEVICE= or transport.device) but "
            f"platform {platform.name} has no board_support: section; add its board-support "
            "sources, memory_map and flash command (see README, Real boards)."
        )
    return None


def failing_step(env, targets: list, step: str, message: str):
    """Nodes for `targets` whose build fails with `message` (a reason known while declaring)."""

    def fail(target, source, env):
        raise AutodeployError(env["ADRT_FAILURE"])

    fail.__name__ = f"{step}_fails"
    return env.Command(targets, [], step_action(step, fail), ADRT_FAILURE=message)


def board_dirs(env, platform, target: str) -> tuple[list[str], list[str]]:
    """(source folders, include folders) of the board support for `target`, as SCons paths: a
    real board's from the project (its platform YAML), an emulated board's from the tool."""
    if target == "board":
        bs = platform.board_support
        return [f"#{s}" for s in bs.sources], [f"#{d}" for d in (*bs.include, *bs.sources)]
    board = f"firmware/board/{platform.emulator.machine.replace('-', '_')}"
    common = tool_path(env, "firmware/board/common")
    return [tool_path(env, board), common], [common]


def toolchain_env(env, platform, name: str):
    """The construction environment compiling firmware C for (platform, toolchain), or None
    when the toolchain is not installed."""
    key = _key(env, "env", platform.name, name)
    if key in _memo:
        return _memo[key]
    tc = toolchains.toolchain(name)
    search = _search_path(env)
    fenv = None
    if tc.available(search):
        fenv = env.Clone(tools=["cc", "ar", "link"])
        fenv.Replace(
            CC=tc.require(search),
            CCFLAGS=tc.cflags(platform),
            CFLAGS=[],
            CPPPATH=[tool_path(env, f"{RUNTIME}/include"), tool_path(env, BOARD_INCLUDE)],
            AR=toolchains.ARCHIVER,
            ARFLAGS="rcs",
            RANLIBCOM="",
            LINK=shutil.which(toolchains.LINK_DRIVER, path=search) or toolchains.LINK_DRIVER,
            LINKFLAGS=toolchains.link_flags(platform),
            LIBS=list(toolchains.LIBS),
            CCCOMSTR="[cc] $TARGET",
            ARCOMSTR="[ar] $TARGET",
            LINKCOM=step_action("link", _link),
        )
    _memo[key] = fenv
    return fenv


def _lib_dir(platform, name: str) -> str:
    return f"#build/lib/{platform.name}/{name}"


def unavailable(target, source, env):
    toolchains.toolchain(env["ADRT_TOOLCHAIN"]).require(_search_path(env))


def c_files(env, paths) -> list[str]:
    """SCons paths of the C files of `paths` (SCons paths of files, or of folders whose *.c are
    taken)."""
    top = Path(env.Dir("#").abspath)
    files = []
    for path in paths:
        folder = top / path[1:] if path.startswith("#") else Path(path)
        if folder.is_dir():
            files += [f"{path}/{p.name}" for p in sorted(folder.glob("*.c"))]
        else:
            files.append(path)
    return files


def _object_name(src: str) -> str:
    """Where a source's object goes in a shared object folder: the source's path in the project
    ('#...') or in the tool, so both layouts name objects alike."""
    if src.startswith("#"):
        return src[1:]
    return Path(src).relative_to(tool_root()).as_posix()


def compiled_objects(fenv, platform, name: str, sources: list[str], include=()) -> list:
    """Object nodes of C files (SCons paths), compiled once per platform+toolchain."""
    nodes = []
    for src in sources:
        key = _key(fenv, "obj", platform.name, name, src)
        if key not in _memo:
            _memo[key] = fenv.Object(
                target=f"{_lib_dir(platform, name)}/obj/{_object_name(src).removesuffix('.c')}.o",
                source=src,
                CPPPATH=[*include, *fenv["CPPPATH"]],
            )
        nodes += _memo[key]
    return nodes


def runtime_objects(fenv, platform, toolchain: str) -> list:
    """The runtime's objects for the platform's target: portable C and its vector variants."""
    # A variant folder with no sources yet is not in a clone (git keeps no empty folder).
    dirs = [d for d in target_for(platform).runtime_source_dirs() if (tool_root() / d).is_dir()]
    sources = c_files(fenv, [tool_path(fenv, d) for d in dirs])
    return compiled_objects(fenv, platform, toolchain, sources)


def runtime_library(env, platform, toolchain: str):
    """build/lib/<platform>/<toolchain>/libadrt.a from the runtime's C for the platform's target
    (once per pair)."""
    key = _key(env, "lib", platform.name, toolchain)
    if key in _memo:
        return _memo[key]
    target = f"{_lib_dir(platform, toolchain)}/libadrt.a"
    fenv = toolchain_env(env, platform, toolchain)
    if fenv is None:
        lib = env.Command(target, [], step_action("ar", unavailable), ADRT_TOOLCHAIN=toolchain)
    else:
        lib = fenv.StaticLibrary(target, runtime_objects(fenv, platform, toolchain))
    _memo[key] = lib
    return lib


def firmware(
    env,
    variant,
    sources,
    placement_node,
    app_sources,
    app_name: str = "validator",
    include=(),
    target: str | None = None,
    receives_upload: bool = False,
) -> dict:
    """Declare the firmware image of `variant` running app `app_name`.

    sources: the model's generated files (the .c ones are compiled); placement_node: the
    variant's placement.json; app_sources: the app's C files or folders in the tool (e.g. the
    RPC server's and the validator's); include: extra include folders for them; target:
    "emulator" or "board" (the platform's board_support), by default the board when the
    platform declares one; receives_upload: the app takes the model's data over the PC link
    (the validator), so it can run a model in PSRAM.
    Returns {elf, map, linker_script, sizes_json, sizes_md} nodes (in variant.build_dir).
    """
    platform = env["AUTODEPLOY_CONFIG"].platforms[variant.platform]
    target = target or default_target(platform)
    out = f"#{variant.build_dir}"
    names = {
        "elf": f"{out}/{app_name}.elf",
        "map": f"{out}/{app_name}.map",
        "linker_script": f"{out}/firmware.ld",
        "sizes_json": f"{out}/sizes.json",
        "sizes_md": f"{out}/sizes.md",
    }
    fenv = toolchain_env(env, platform, variant.toolchain)
    problem = missing_board_support(platform, target)
    if problem:
        return dict(
            zip(names, failing_step(env, list(names.values()), "link", problem), strict=True)
        )
    if fenv is None:
        nodes = env.Command(
            list(names.values()),
            [],
            step_action("link", unavailable),
            ADRT_TOOLCHAIN=variant.toolchain,
        )
        return dict(zip(names, nodes, strict=True))

    board_src, board_inc = board_dirs(env, platform, target)
    board = compiled_objects(fenv, platform, variant.toolchain, c_files(env, board_src), board_inc)
    app_files = c_files(env, [tool_path(env, p) for p in app_sources])
    app_dirs = sorted({str(Path(f).parent) for f in app_files})
    app_include = [*(tool_path(env, d) for d in include), *app_dirs]
    app = compiled_objects(fenv, platform, variant.toolchain, app_files, app_include)
    model = model_objects(fenv, platform, variant, sources)
    glue = env.Command(
        f"{out}/app_model.c",
        [placement_node, env.Value(variant.model)],
        step_action("glue", _write_app_model),
    )
    glue_obj = fenv.Object(f"{out}/app_model.o", glue)
    # A variant that cannot be placed fails there, with the sizes, before its model C compiles
    # (a compiler's "array too large" would say less). Order only: placements do not recompile.
    env.Requires([*model, *glue_obj], placement_node)
    app_info = {"name": app_name, "receives_upload": receives_upload}
    script = env.Command(
        names["linker_script"],
        [placement_node, _layout_value(env, platform, target), config_value(env, app_info)],
        step_action("ldscript", _write_linker_script),
    )
    env.Depends(script, engine_sources(env, "firmware/linker", "memory/boot"))
    lib = runtime_library(env, platform, variant.toolchain)
    elf, map_file = fenv.Program(
        [names["elf"], names["map"]],
        [*app, *model, *glue_obj, *board, *lib],
        ADRT_LDSCRIPT=script[0].abspath,
    )
    env.Depends(elf, [script, *engine_sources(env, "firmware/upload_image")])
    sizes = env.Command(
        [names["sizes_json"], names["sizes_md"]],
        [elf, placement_node, _layout_value(env, platform, target)],
        step_action("sizes", _write_sizes),
    )
    env.Depends(
        sizes,
        engine_sources(env, "firmware/size_report", "firmware/elf", "firmware/flash_image"),
    )
    return {
        "elf": elf,
        "map": map_file,
        "linker_script": script[0],
        "sizes_json": sizes[0],
        "sizes_md": sizes[1],
    }


def model_objects(fenv, platform, variant, sources) -> list:
    """The generated model C, compiled once per model+platform+toolchain (any placement)."""
    nodes = []
    for node in sources:
        path = str(node)
        if not path.endswith(".c"):
            continue
        key = _key(fenv, "model", platform.name, variant.toolchain, path)
        if key not in _memo:
            obj = f"#build/{variant.model}/obj/{platform.name}/{variant.toolchain}/"
            _memo[key] = fenv.Object(
                target=obj + Path(path).name.removesuffix(".c") + ".o",
                source=node,
                CPPPATH=[node.dir, *fenv["CPPPATH"]],
            )
        nodes += _memo[key]
    return nodes


def _layout_value(env, platform, target: str):
    """What the linker script and size report read from the platform."""
    return config_value(env, {"platform": platform.to_dict(without=("timing",)), "target": target})


def _write_app_model(target, source, env):
    staging = json.loads(Path(str(source[0])).read_text())["placement"]["staging_bytes"]
    model = source[1].read()
    atomic.write_text(
        str(target[0]),
        f"""\
/* Generated by autodeploy: the model this firmware runs, and its input staging buffer.
 * Apps are compiled once per platform and toolchain and find the model through these. */
#include <stdint.h>

#include "adrt/model_api.h"

extern const adrt_model_t {model}_model;

const adrt_model_t *const adrt_app_model = &{model}_model;
uint8_t adrt_app_staging[{max(staging, 1)}]
    __attribute__((aligned(16), section(".bss.adrt_staging")));
const uint32_t adrt_app_staging_bytes = {staging}u;
""",
    )


def _write_linker_script(target, source, env):
    placement = json.loads(Path(str(source[0])).read_text())["placement"]
    layout = read_value(source[1])
    app = read_value(source[2])
    require_link_for_upload(placement, f"{app['name']} app", app["receives_upload"])
    platform = env["AUTODEPLOY_CONFIG"].platforms[layout["platform"]["name"]]
    atomic.write_text(str(target[0]), render_linker_script(platform, placement, layout["target"]))


def _write_sizes(target, source, env):
    from autodeploy.firmware.elf import read_elf
    from autodeploy.firmware.flash_image import nonvolatile_ranges
    from autodeploy.firmware.size_report import (
        check_boot_image,
        check_budgets,
        size_markdown,
        size_report,
    )

    placement = json.loads(Path(str(source[1])).read_text())["placement"]
    layout = read_value(source[2])
    platform = env["AUTODEPLOY_CONFIG"].platforms[layout["platform"]["name"]]
    regions = used_regions(platform, placement, layout["target"])
    elf = read_elf(str(source[0]))
    report = size_report(elf, regions)
    atomic.write_json(str(target[0]), report)
    atomic.write_text(str(target[1]), size_markdown(report, str(source[0])))
    check_boot_image(elf, nonvolatile_ranges(platform, layout["target"]), str(source[0]))
    check_budgets(report, platform, str(source[0]))


_OVERFLOW = re.compile(r"region `(\w+)' overflowed by (\d+) bytes")


def _link(target, source, env):
    """Link with the gcc driver; a region overflow becomes one plain message."""
    elf, map_file = str(target[0]), str(target[1])
    libs = [f"-l{lib}" for lib in env["LIBS"]]
    cmd = [
        env["LINK"],
        *env["LINKFLAGS"],
        f"-T{env['ADRT_LDSCRIPT']}",
        f"-Wl,-Map={map_file}",
        "-o",
        elf,
        *(str(s) for s in source),
        *libs,
    ]
    result = children.run(cmd, capture_output=True, text=True, env=env["ENV"])
    if result.returncode == 0:
        from autodeploy.firmware.upload_image import seal

        seal(elf)
        return
    overflows = _OVERFLOW.findall(result.stderr)
    if overflows:
        parts = [f"memory {region} overflowed by {int(n):,} bytes" for region, n in overflows]
        raise FirmwareLinkError(
            f"{elf}: the firmware does not fit: {'; '.join(parts)} (the linker's MEMORY "
            "lengths are the real board's sizes). Move the model or arena (model_location, "
            "arena_location), lower firmware.stack_kb in the platform YAML, or use a smaller "
            "model."
        )
    raise FirmwareLinkError(f"{elf}: linking failed:\n{result.stderr.strip()}")
