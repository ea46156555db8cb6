"""Library builder: the model as a static library package in build/<model>/<firmware_key>/package/.

    lib<model>.a                generated model objects + runtime objects (platform + toolchain)
    include/<model>_model.h     the API, with include/adrt/model_api.h
    README.md                   what to call, buffer sizes, where arena and weights live
    example/                    main.c, example_data.{h,c}, board/ (board support), example.ld,
                                Makefile, and sizes.{json,md} of the example image
The example image itself (example.elf, example.hex (its flash image), its map and objects) is
built with the package's own Makefile into build/<model>/<firmware_key>/example/, outside the
package, which ships only sources. The example boots like the validator (from the boot memory,
copying what runs from RAM); it has no PC link, so a variant with its model in PSRAM (uploaded
by the host) gets no example: that step fails with the reason.

The example's inputs are run 0 of the validator's seeded inputs and its expected outputs come
from the host reference, so running it on the board checks the library end to end. SCons builds
the example with its own Makefile, which proves the Makefile works and measures the image.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autodeploy import atomic, children
from autodeploy.errors import AutodeployError
from autodeploy.firmware.linker import (
    default_target,
    render_linker_script,
    require_link_for_upload,
    used_regions,
)
from builders.common import config_value, engine_sources, read_value, step_action, tool_path
from builders.firmware import (
    BOARD_INCLUDE,
    RUNTIME,
    board_dirs,
    c_files,
    failing_step,
    missing_board_support,
    model_objects,
    runtime_objects,
    toolchain_env,
    unavailable,
)

EXAMPLE_APP = "firmware/apps/example"


class ExampleBuildError(AutodeployError):
    """The example project's Makefile failed."""


def library(env, variant, sources, analysis_node, placement_node, spec, target=None) -> list:
    """Declare the package of `variant` (see module doc); returns its nodes (for an alias)."""
    config = env["AUTODEPLOY_CONFIG"]
    platform = config.platforms[variant.platform]
    target = target or default_target(platform)
    pkg = f"#{variant.build_dir}/package"
    example = f"{pkg}/example"
    model = variant.model
    problem = missing_board_support(platform, target)
    if problem:
        return failing_step(env, [f"{pkg}/README.md"], "readme", problem)

    lib = _archive(env, platform, variant, sources, f"{pkg}/lib{model}.a")
    header = next(s for s in sources if str(s).endswith(f"{model}_model.h"))
    headers = [
        _copy(env, f"{pkg}/include/{model}_model.h", header),
        _copy(
            env,
            f"{pkg}/include/adrt/model_api.h",
            tool_path(env, f"{RUNTIME}/include/adrt/model_api.h"),
        ),
    ]
    copied = [
        _copy(env, f"{example}/{name}", tool_path(env, f"{EXAMPLE_APP}/{name}"))
        for name in ("main.c", "example_data.h")
    ]
    board_src, board_inc = board_dirs(env, platform, target)
    for folder in sorted({*board_src, *board_inc, tool_path(env, BOARD_INCLUDE)}):
        root = Path(env.Dir(folder).abspath)
        for path in sorted(root.glob("**/*.[ch]")):
            rel = path.relative_to(root).as_posix()
            copied.append(_copy(env, f"{example}/board/{Path(folder).name}/{rel}", str(path)))
    makefile = env.Command(
        f"{example}/Makefile",
        config_value(
            env,
            {
                "model": model,
                "platform": platform.name,
                "board_sources": [
                    f"board/{Path(f).parent.name}/{Path(f).name}" for f in c_files(env, board_src)
                ],
                "board_include": [f"board/{Path(d).name}" for d in [BOARD_INCLUDE, *board_inc]],
            },
        ),
        step_action("makefile", _write_makefile),
    )
    env.Depends(makefile, engine_sources(env, "package"))
    data = env.Command(
        [f"{example}/example_data.c", f"{example}/example_data.json"],
        [
            analysis_node,
            env.File(str(spec.tflite)),
            config_value(env, {"model": model, "seed": spec.seed}),
        ],
        step_action("capture", _write_example_data),
    )
    env.Depends(data, engine_sources(env, "package", "reference", "rpc/inputs"))
    layout = config_value(env, {"platform": platform.name, "target": target})
    script = env.Command(
        f"{example}/example.ld", [placement_node, layout], step_action("ldscript", _write_script)
    )
    env.Depends(script, engine_sources(env, "firmware/linker", "memory/boot"))
    readme = env.Command(
        f"{pkg}/README.md",
        [
            analysis_node,
            placement_node,
            data[1],
            config_value(
                env,
                {
                    "model": model,
                    "platform": platform.name,
                    "toolchain": variant.toolchain,
                    "target": target,
                },
            ),
        ],
        step_action("readme", _write_readme),
    )
    env.Depends(readme, engine_sources(env, "package", "board/emulator", "memory/boot"))
    image = env.Command(
        [
            f"#{variant.build_dir}/example/example.elf",
            f"{example}/sizes.json",
            f"{example}/sizes.md",
            f"#{variant.build_dir}/example/example.hex",
        ],
        [lib, *headers, *copied, makefile, data[0], script, placement_node, layout],
        step_action("example", _build_example),
    )
    env.Depends(
        image,
        engine_sources(env, "firmware/size_report", "firmware/elf", "firmware/flash_image"),
    )
    return [lib, *headers, readme, *image]


def _archive(env, platform, variant, sources, target: str):
    fenv = toolchain_env(env, platform, variant.toolchain)
    if fenv is None:
        return env.Command(
            target, [], step_action("ar", unavailable), ADRT_TOOLCHAIN=variant.toolchain
        )
    runtime = runtime_objects(fenv, platform, variant.toolchain)
    return fenv.StaticLibrary(target, [*model_objects(fenv, platform, variant, sources), *runtime])


def _copy(env, target: str, source):
    return env.Command(target, source, step_action("copy", _copy_file))[0]


def _copy_file(target, source, env):
    Path(str(target[0])).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(str(source[0]), str(target[0]))


def _write_makefile(target, source, env):
    from autodeploy.package import render_makefile

    request = read_value(source[0])
    platform = env["AUTODEPLOY_CONFIG"].platforms[request["platform"]]
    text = render_makefile(
        request["model"], platform, request["board_sources"], request["board_include"]
    )
    atomic.write_text(str(target[0]), text)


def _write_example_data(target, source, env):
    from autodeploy.package import capture_example, render_example_data

    analysis = json.loads(Path(str(source[0])).read_text())
    request = read_value(source[2])
    captured = capture_example(analysis, Path(str(source[1])).read_bytes(), request["seed"])
    model = request["model"]
    atomic.write_text(str(target[0]), render_example_data(model, analysis, captured))
    atomic.write_json(str(target[1]), {"reference": captured.kind, "seed": captured.seed})


def _write_script(target, source, env):
    placement = json.loads(Path(str(source[0])).read_text())["placement"]
    require_link_for_upload(placement, "library's example", receives_upload=False)
    layout = read_value(source[1])
    platform = env["AUTODEPLOY_CONFIG"].platforms[layout["platform"]]
    atomic.write_text(str(target[0]), render_linker_script(platform, placement, layout["target"]))


def _write_readme(target, source, env):
    from autodeploy.firmware.toolchains import toolchain
    from autodeploy.package import render_readme

    analysis = json.loads(Path(str(source[0])).read_text())
    placement = json.loads(Path(str(source[1])).read_text())["placement"]
    example = json.loads(Path(str(source[2])).read_text())
    request = read_value(source[3])
    text = render_readme(
        request["model"],
        analysis,
        placement,
        env["AUTODEPLOY_CONFIG"].platforms[request["platform"]],
        {
            "name": request["toolchain"],
            "version": toolchain(request["toolchain"]).version(env["ENV"]["PATH"]),
        },
        request["target"],
        example["reference"],
        example["seed"],
    )
    atomic.write_text(str(target[0]), text)


def _build_example(target, source, env):
    from autodeploy.firmware.elf import read_elf
    from autodeploy.firmware.flash_image import nonvolatile_ranges
    from autodeploy.firmware.size_report import check_boot_image, size_markdown, size_report

    elf = Path(str(target[0])).resolve()
    example = Path(str(target[1])).parent
    result = children.run(
        ["make", "-C", str(example), f"OUT={elf.parent}"],
        capture_output=True,
        text=True,
        env=env["ENV"],
    )
    if result.returncode != 0:
        raise ExampleBuildError(
            f"{example}/Makefile: make failed:\n{(result.stdout + result.stderr).strip()}"
        )
    placement = json.loads(Path(str(source[-2])).read_text())["placement"]
    layout = read_value(source[-1])
    platform = env["AUTODEPLOY_CONFIG"].platforms[layout["platform"]]
    image = read_elf(elf)
    check_boot_image(image, nonvolatile_ranges(platform, layout["target"]), str(elf))
    report = size_report(image, used_regions(platform, placement, layout["target"]))
    atomic.write_json(str(target[1]), report)
    atomic.write_text(str(target[2]), size_markdown(report, f"{elf.name} ({platform.name})"))
