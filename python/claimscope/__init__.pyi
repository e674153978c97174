import os
from typing import Any, Iterable, Mapping, Union

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL: str
BUILD: str
__version__: str
__build__: str

PathLike = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]

class ClaimscopeWarning(UserWarning): ...

class Embedder:
    def __init__(self, model: str | None = None) -> None: ...
    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]: ...
    @property
    def dim(self) -> int: ...

def segment(
    text: str,
    *,
    id: Any = "doc",
    outlet: Any = None,
    date: Any = None,
    title: Any = None,
    url: Any = None,
) -> list[dict[str, Any]]: ...
def classify_confidence(texts: Iterable[str]) -> list[dict[str, Any]]: ...
def classify_stance(claim: str, texts: Iterable[str]) -> list[dict[str, Any]]: ...
def stories(
    documents: Iterable[Mapping[str, Any]], lead_vectors: npt.NDArray[np.float32] | None = None
) -> dict[str, Any]: ...
def lead_vectors(documents: Iterable[Mapping[str, Any]]) -> npt.NDArray[np.float32]: ...
def read_documents(
    paths: PathLike | Iterable[PathLike],
    *,
    text_field: str = "text",
    id_field: str | None = None,
    outlet_field: str | None = None,
    date_field: str | None = None,
    title_field: str | None = None,
    url_field: str | None = None,
    lossy: bool = False,
) -> list[dict[str, Any]]: ...
def match(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]: ...
