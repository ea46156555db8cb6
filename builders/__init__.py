"""SCons builders, one module per artifact kind. Each is thin: it wires targets, sources and the
config slice a step depends on, and calls the engine in site_scons/autodeploy to do the work."""
