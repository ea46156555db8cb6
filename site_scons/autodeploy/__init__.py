"""The autodeploy engine: plain Python, no SCons import, testable on its own.

SCons builders (in builders/) are thin wrappers that call into this package.
"""

# The tool's and its C runtime's version, recorded in every result-log row ("Runtime Version").
__version__ = "0.6.0"
