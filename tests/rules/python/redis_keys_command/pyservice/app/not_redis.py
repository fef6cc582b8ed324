"""No Redis here: keys() of dicts and of a local class."""


class Registry:
    def keys(self, pattern: str) -> list[str]:
        return [pattern]


registry = Registry()
r = {"a": 1}


def f() -> None:
    print(r.keys())
    print(registry.keys("a*"))
    print(dict(a=1).keys())


class ClientCommands:
    """A client library's own KEYS wrapper sends KEYS by design."""

    def execute_command(self, *args: str) -> list[str]:
        return list(args)

    def keys(self, pattern: str = "*") -> list[str]:
        return self.execute_command("KEYS", pattern)
