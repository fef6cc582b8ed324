"""Reading a pytest conftest for a default timeout given to requests' module functions."""

from __future__ import annotations

import textwrap

import pytest

from optimus.rules.python._requests_defaults import (
    conftest_timeout,
    installs_default_timeout,
    is_pytest_module,
)

SESSION_WITH_DEFAULT = """
import requests

class Bounded(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, **kwargs)
"""


def _installs(text: str) -> bool:
    return installs_default_timeout(textwrap.dedent(text))


@pytest.mark.parametrize(
    "patch",
    [
        "requests.sessions.Session = Bounded",
        "requests.api.sessions.Session = Bounded",
        "setattr(requests.sessions, 'Session', Bounded)",
        "if True:\n    requests.sessions.Session = Bounded",
        "def pytest_configure(config):\n    requests.sessions.Session = Bounded",
        (
            "@pytest.fixture(autouse=True, scope='session')\n"
            "def bounded(monkeypatch):\n"
            "    monkeypatch.setattr('requests.sessions.Session', Bounded)"
        ),
    ],
)
def test_a_session_class_with_a_default_replaces_the_one_module_functions_create(
    patch: str,
) -> None:
    assert _installs(SESSION_WITH_DEFAULT + patch + "\n")


@pytest.mark.parametrize(
    "patch",
    [
        "requests.Session = Bounded",  # requests.get looks up requests.sessions.Session
        "Session = Bounded",
        # a fixture that is not autouse runs only for the tests that ask for it
        "@pytest.fixture\ndef bounded(monkeypatch):\n"
        "    monkeypatch.setattr(requests.sessions, 'Session', Bounded)",
        "def helper():\n    requests.sessions.Session = Bounded",
    ],
)
def test_patches_that_do_not_reach_requests_module_functions(patch: str) -> None:
    assert not _installs(SESSION_WITH_DEFAULT + patch + "\n")


@pytest.mark.parametrize(
    "method",
    [
        "def request(self, method, url, timeout=60, **kwargs):\n"
        "    return super().request(method, url, timeout=timeout, **kwargs)",
        "def request(self, method, url, *, timeout=60, **kwargs):\n"
        "    return super().request(method, url, timeout=timeout, **kwargs)",
        "def request(self, *args, **kwargs):\n"
        "    return super().request(*args, timeout=kwargs.pop('timeout', 120), **kwargs)",
        "def request(self, *args, **kwargs):\n"
        "    if 'timeout' not in kwargs:\n"
        "        kwargs['timeout'] = DEFAULT\n"
        "    return super().request(*args, **kwargs)",
        "def send(self, request, **kwargs):\n"
        "    kwargs['timeout'] = kwargs.get('timeout') or 30\n"
        "    return super().send(request, **kwargs)",
    ],
)
def test_methods_that_give_a_default(method: str) -> None:
    body = textwrap.indent(method, "    ")
    text = (
        f"import requests\n\nclass S(requests.Session):\n{body}\n\nrequests.sessions.Session = S\n"
    )
    assert installs_default_timeout(text)


@pytest.mark.parametrize(
    "method",
    [
        # the caller's timeout, None when unset, passed on
        "def request(self, *args, **kwargs):\n"
        "    return super().request(*args, timeout=kwargs.pop('timeout'), **kwargs)",
        "def request(self, method, url, timeout=None, **kwargs):\n"
        "    return super().request(method, url, timeout=timeout, **kwargs)",
        "def request(self, *args, **kwargs):\n"
        "    return super().request(*args, **{**kwargs, 'timeout': kwargs.get('timeout', None)})",
        # send always gets timeout (None when unset): a default there never applies
        "def send(self, request, timeout=30, **kwargs):\n"
        "    return super().send(request, timeout=timeout, **kwargs)",
        "def send(self, request, **kwargs):\n"
        "    kwargs.setdefault('timeout', 30)\n"
        "    return super().send(request, **kwargs)",
        # requests ignores a session's `timeout` attribute
        "def __init__(self):\n    super().__init__()\n    self.timeout = 30",
    ],
)
def test_methods_that_give_no_default(method: str) -> None:
    body = textwrap.indent(method, "    ")
    text = (
        f"import requests\n\nclass S(requests.Session):\n{body}\n\nrequests.sessions.Session = S\n"
    )
    assert not installs_default_timeout(text)


def test_a_local_base_class_and_aliased_imports() -> None:
    assert _installs(
        """
        import requests as rq
        from requests import sessions as s

        class Base(rq.Session):
            def request(self, *args, **kwargs):
                kwargs.setdefault("timeout", 10)
                return super().request(*args, **kwargs)

        class Logged(Base):
            pass

        s.Session = Logged
        """
    )


def test_patched_methods_of_requests_own_classes() -> None:
    assert _installs(
        """
        import requests

        _original = requests.Session.request

        def _bounded(self, method, url, **kwargs):
            kwargs.setdefault("timeout", 30)
            return _original(self, method, url, **kwargs)

        requests.Session.request = _bounded
        """
    )
    assert _installs(
        """
        import functools
        from requests import Session

        Session.request = functools.partialmethod(Session.request, timeout=5)
        """
    )
    # functools.partial does not bind `self` when stored on the class
    assert not _installs(
        """
        import functools
        import requests

        requests.Session.request = functools.partial(requests.Session.request, timeout=5)
        """
    )
    assert not _installs(
        """
        import functools
        import requests

        requests.Session.request = functools.partialmethod(requests.Session.request, timeout=None)
        """
    )


ADAPTER = """
import requests
from requests.adapters import HTTPAdapter

class TimeoutAdapter(HTTPAdapter):
    def send(self, request, timeout=None, **kwargs):
        if timeout is None:
            timeout = 15
        return super().send(request, timeout=timeout, **kwargs)
"""


def test_adapters_with_a_default() -> None:
    assert installs_default_timeout(ADAPTER + "requests.sessions.HTTPAdapter = TimeoutAdapter\n")
    patched_send = ADAPTER + textwrap.dedent(
        """
        _send = HTTPAdapter.send

        def bounded_send(self, request, **kwargs):
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = 15
            return _send(self, request, **kwargs)

        HTTPAdapter.send = bounded_send
        """
    )
    assert installs_default_timeout(patched_send)
    looped = ADAPTER + textwrap.dedent(
        """
        class S(requests.Session):
            def __init__(self):
                super().__init__()
                for prefix in ("http://", "https://"):
                    self.mount(prefix, TimeoutAdapter())

        requests.sessions.Session = S
        """
    )
    assert installs_default_timeout(looped)
    # `requests.adapters.HTTPAdapter = X` rebinds the name in requests.adapters only
    assert not installs_default_timeout(
        ADAPTER + "requests.adapters.HTTPAdapter = TimeoutAdapter\n"
    )


def test_text_that_does_not_parse_or_does_not_mention_requests() -> None:
    assert not installs_default_timeout("import requests\ntimeout = (\n")
    assert not installs_default_timeout("TIMEOUT = 3\n")
    assert not installs_default_timeout("")


def test_conftest_found_in_the_folder_or_above_up_to_the_project_root() -> None:
    files = {
        "integration-tests/conftest.py": SESSION_WITH_DEFAULT
        + "requests.sessions.Session = Bounded\n",
        "integration-tests/models/conftest.py": "import pytest\n",
        "tests/conftest.py": "import requests\n",
    }
    read_calls: list[str] = []

    def read(path: str) -> str | None:
        read_calls.append(path)
        return files.get(path)

    cache: dict[str, bool] = {}
    found = conftest_timeout(read, "integration-tests/models/test_chat.py", cache)
    assert found == "integration-tests/conftest.py"
    assert conftest_timeout(read, "integration-tests/models/test_lora.py", cache) == found
    assert conftest_timeout(read, "tests/test_api.py", cache) is None
    assert conftest_timeout(read, "test_top.py", cache) is None
    assert read_calls.count("integration-tests/conftest.py") == 1  # kept per conftest
    assert read_calls[-1] == "conftest.py"  # the project root is the last folder read


def test_pytest_modules_by_default_names() -> None:
    for path in ("tests/test_api.py", "a/b/api_test.py", "conftest.py", "x/conftest.py"):
        assert is_pytest_module(path), path
    for path in ("tests/helpers.py", "tests/fixtures/service.py", "test_data.json", "testing.py"):
        assert not is_pytest_module(path), path
