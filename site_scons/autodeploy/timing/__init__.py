"""The emulator's cycle estimate: a timing model per core and per memory, declared in data
(platforms/cores/<core>.yaml and a platform's `timing:` section), applied to the QEMU plugin's
per-layer counts (autodeploy.board.qemu_plugin)."""
