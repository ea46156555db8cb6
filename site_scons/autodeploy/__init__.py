"""The autodeploy engine: plain Python, no SCons import, testable on its own.

SCons builders (in builders/) are thin wrappers that call into this package.
"""
