"""Skip the examples (with the reason) when no gradscope binary that serves Python is found."""

import pytest


def pytest_collection_modifyitems(config, items):
    try:
        import gradscope
        from gradscope import _binary
        binary = gradscope.find_binary()
    except ImportError:
        reason = "the gradscope package is not installed (pip install ./python)"
    except FileNotFoundError as exc:
        reason = str(exc)
    else:
        if _binary.supports(binary, "--exec-fds"):
            return
        reason = "%s predates `check --exec-fds`; rebuild it" % binary
    for item in items:
        item.add_marker(pytest.mark.skip(reason=reason))
