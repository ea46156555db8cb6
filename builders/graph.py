"""The build graph of variants: each model's and each variant's nodes are declared once.

A sweep asks for the same variant a model target already declared (or another sweep did), and
gets the very same nodes, so `scons kws-profile` followed by a sweep containing that variant
reuses its firmware and profile instead of building them again.
"""

from __future__ import annotations

from collections import defaultdict

from autodeploy.memory.boot import UPLOADED_MODEL_MEMORIES
from autodeploy.target import target_for
from autodeploy.variants import Variant, declared_variant
from builders.analysis import analysis_report, model_compile, placement
from builders.dataset import dataset
from builders.firmware import firmware
from builders.mlek import measured_npu, mlek_folder, mlek_log_argument
from builders.power import power
from builders.profile import device_argument, profile
from builders.reports import variant_page
from builders.results import log_after
from builders.sources import model_sources
from builders.vela import vela_compile, vela_report

# The validator app: the RPC server serving the model to the host (firmware/rpc, apps/validator).
VALIDATOR = {
    "app_sources": ["firmware/rpc/src", "firmware/apps/validator"],
    "include": ["firmware/rpc/include"],
    "receives_upload": True,  # its upload calls take a model in PSRAM over the link
}


class VariantGraph:
    def __init__(self, env):
        self.env = env
        self.config = env["AUTODEPLOY_CONFIG"]
        self._nodes: dict[tuple, object] = {}
        # (model, firmware key) -> the variants whose result rows carry that image's power report
        self._modes: dict[tuple[str, str], list[Variant]] = defaultdict(list)
        # first target of a profile or power step -> the variants whose rows it updates
        self.logged: dict[str, list[Variant]] = {}
        env["AUTODEPLOY_GRAPH"] = self  # for actions; not part of any build signature

    def _once(self, key: tuple, declare):
        if key not in self._nodes:
            self._nodes[key] = declare()
        return self._nodes[key]

    def target(self, variant: Variant) -> str:
        """Where the variant runs: "board" with DEVICE= or a platform transport.device, else
        "emulator"."""
        platform = self.config.platforms[variant.platform]
        return "board" if device_argument() or platform.transport.device else "emulator"

    def spec(self, variant_or_model):
        name = getattr(variant_or_model, "model", variant_or_model)
        return self.config.models[name]

    def compile_target(self, variant: Variant):
        """The target (autodeploy.target) the variant's model is compiled for."""
        return target_for(self.config.platforms[variant.platform])

    def _compiled(self, model: str, target) -> dict:
        return self._once(
            ("compile", model, target.key),
            lambda: model_compile(self.env, self.spec(model), target),
        )

    def analysis(self, variant: Variant):
        """The analysis node of the variant's model, compiled for the variant's target."""
        return self._compiled(variant.model, self.compile_target(variant))["analysis"]

    def sources(self, variant: Variant):
        """The generated C of the variant's model for its target (shared by its target's boards)."""
        target = self.compile_target(variant)
        return self._once(
            ("sources", variant.model, target.key),
            lambda: model_sources(
                self.env,
                self.spec(variant),
                target,
                self._compiled(variant.model, target)["program"],
            ),
        )

    def analysis_report(self, model: str):
        """reports/<model>/analysis.md and friends, compiled and placed as the model's own
        variant."""
        variant = declared_variant(self.spec(model))
        return self._once(
            ("analysis_report", model),
            lambda: analysis_report(
                self.env, self.spec(model), self.analysis(variant), self.placement(variant)
            ),
        )

    def describe(self, variant: Variant) -> str:
        """How error messages name the variant."""
        if variant == declared_variant(self.spec(variant)):
            return f"model '{variant.model}' (models.yaml)"
        return f"model '{variant.model}', variant {variant.name}"

    def placement(self, variant: Variant):
        return self._once(
            ("placement", variant.model, variant.firmware_key),
            lambda: placement(
                self.env,
                variant,
                self.spec(variant),
                self.analysis(variant),
                self.describe(variant),
            ),
        )

    def firmware(self, variant: Variant) -> dict:
        return self._once(
            ("firmware", variant.model, variant.firmware_key),
            lambda: firmware(
                self.env,
                variant,
                self.sources(variant),
                self.placement(variant),
                target=self.target(variant),
                **VALIDATOR,
            ),
        )

    def _share_power(self, variant: Variant) -> None:
        modes = self._modes[(variant.model, variant.firmware_key)]
        if variant not in modes:
            modes.append(variant)

    def weights_uploaded(self, variant: Variant) -> bool:
        """Whether the host uploads the variant's weights (declared in PSRAM): only an image with
        a PC link (the validator) can run it, not the power app or the library example."""
        return variant.model_location in UPLOADED_MODEL_MEMORIES

    def has_npu(self, variant: Variant) -> bool:
        return self.config.platforms[variant.platform].npu is not None

    def vela(self, variant: Variant) -> list:
        """The variant's Vela compile (model, CSVs, log, vela.json), shared by its CPU modes."""
        return self._once(
            ("vela", variant.model, variant.firmware_key, variant.npu_key),
            lambda: vela_compile(self.env, variant, self.spec(variant), self.placement(variant)),
        )

    def vela_report(self, variant: Variant) -> list:
        """reports/<model>/<variant>/vela.md and vela.json."""
        return self._once(
            ("vela_report", variant),
            lambda: vela_report(self.env, variant, self.vela(variant)),
        )

    def mlek(self, variant: Variant) -> list:
        """The MLEK folder of the variant (and, with MLEK_LOG=, the board's measured cycles)."""

        def declare():
            nodes = mlek_folder(self.env, variant, self.spec(variant), self.vela(variant))
            log = mlek_log_argument()
            if log:
                nodes += measured_npu(self.env, variant, log, self.vela_report(variant))
            return nodes

        return self._once(("mlek", variant), declare)

    def dataset(self, variant: Variant) -> list | None:
        """The converted dataset of the variant's model for its target, if it declares one."""
        spec = self.spec(variant)
        if spec.dataset is None:
            return None
        target = self.compile_target(variant)
        return self._once(
            ("dataset", variant.model, target.key),
            lambda: dataset(self.env, spec, target, self.analysis(variant)),
        )

    def profile(self, variant: Variant):
        variant = variant.cpu_variant  # the Vela settings do not change what the CPU runs
        self._share_power(variant)

        def declare():
            nodes = profile(
                self.env,
                variant,
                self.firmware(variant),
                self.analysis(variant),
                self.placement(variant),
                self.spec(variant),
                self.dataset(variant),
            )
            log_after(self, nodes, [variant])
            return nodes

        return self._once(("profile", variant), declare)

    def power(self, variant: Variant):
        """The power report of the variant's image (shared by its CPU modes)."""
        variant = variant.cpu_variant
        self._share_power(variant)
        modes = self._modes[(variant.model, variant.firmware_key)]

        def declare():
            nodes = power(
                self.env,
                variant,
                self.sources(variant),
                self.placement(variant),
                self.spec(variant),
                self.target(variant),
            )
            log_after(self, nodes, modes)  # the list grows as sweeps declare more modes
            return nodes

        return self._once(("power", variant.model, variant.firmware_key), declare)

    def page(self, variant: Variant):
        """The variant's HTML report (profile, power, memory map; on a board with an NPU also
        Vela's estimate beside the CPU's)."""
        return self._once(
            ("page", variant),
            lambda: variant_page(
                self.env,
                variant,
                self.profile(variant),
                None if self.weights_uploaded(variant) else self.power(variant),
                self.firmware(variant)["sizes_json"],
                self.placement(variant),
                self.vela_report(variant) if self.has_npu(variant) else None,
            ),
        )
