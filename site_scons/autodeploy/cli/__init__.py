"""The `autodeploy` command (console entry point autodeploy.cli.main:run): the reference tool's
one-shot characterization driving the same SCons build, and `autodeploy init`."""
