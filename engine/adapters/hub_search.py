"""Search the Hub for text-generation models: one ``list_models`` call, a bounded list of small records.

The request huggingface_hub's ``HfApi.list_models`` sends, with ``search``, sorted by downloads, filtered to the
``text-generation`` pipeline, asking (``expand``) only for what a result line shows: downloads, the
safetensors parameter total the Hub computed from the weight files, gating, tags and the GGUF
summary. HF_ENDPOINT, HF_TOKEN and the saved login apply, as for every Hub read here. At most
MAX_RESULTS records are read, so a broad query costs one page. Picking a result is ``load_source``'s
job (the headers, as ``inspect`` reads them); a GGUF repo's variants come from the same read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paramtui.engine.adapters.hub import TIMEOUT_S, endpoint, offline

MAX_RESULTS = 100
"""Results read at most (one page of the Hub's listing)."""
DEFAULT_RESULTS = 20
"""Results read when no limit is given."""
MAX_QUERY = 200
"""Characters of a query sent at most."""
EXPAND = ("downloads", "safetensors", "gated", "tags", "gguf", "library_name")
"""The listing's fields read (huggingface_hub's ExpandModelProperty_T names)."""


class SearchError(ValueError):
    """The Hub could not be searched; the message is one line beginning "Hub unreachable"."""


@dataclass(frozen=True, slots=True)
class HubModel:
    """One search result."""

    repo_id: str
    """owner/name."""
    downloads: int
    """Downloads in the last 30 days, as the Hub counts them."""
    params: int | None
    """Parameters in the safetensors weights as the Hub totals them; None when it gives none (GGUF repos)."""
    gated: bool
    """Access must be requested first (HF_TOKEN of an account that was granted it)."""
    gguf: bool
    """The repo holds GGUF files (its variants can be listed with their fit)."""


def _record(item: Any) -> HubModel:
    safetensors = getattr(item, "safetensors", None)
    params = getattr(safetensors, "total", None) if safetensors is not None else None
    tags = tuple(getattr(item, "tags", None) or ())
    gguf = "gguf" in tags or getattr(item, "library_name", None) == "gguf" or getattr(item, "gguf", None) is not None
    gated = getattr(item, "gated", None)
    return HubModel(
        repo_id=str(item.id),
        downloads=int(getattr(item, "downloads", 0) or 0),
        params=int(params) if isinstance(params, int) and params > 0 else None,
        gated=bool(gated) and gated != "false",
        gguf=bool(gguf),
    )


def search_models(query: str, limit: int = DEFAULT_RESULTS) -> tuple[HubModel, ...]:
    """Text-generation repos matching ``query``, most downloaded first.

    Raises:
        SearchError: offline, the Hub unreachable, or an error answer (one line).
        ValueError: an empty query or a limit outside 1..MAX_RESULTS.
    """
    query = query.strip()
    if not query:
        raise ValueError("search needs a query, e.g. `paramtui search llama`")
    if not 1 <= limit <= MAX_RESULTS:
        raise ValueError(f"--limit takes 1 to {MAX_RESULTS}, got {limit}")
    if offline():
        raise SearchError("Hub unreachable: HF_HUB_OFFLINE is set, and search needs the network")
    from huggingface_hub import get_session, hf_raise_for_status
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.hf_api import ModelInfo
    from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

    # The request HfApi.list_models sends (same path and parameters), made here as one GET with a
    # timeout: list_models pages through http_backoff, which retries a refused connection five times
    # with waits up to 8 s and no timeout, so an offline machine waited 23 s for its answer.
    params: dict[str, Any] = {
        "search": query[:MAX_QUERY],
        "sort": "downloads",
        "pipeline_tag": "text-generation",
        "limit": limit,
        "expand": list(EXPAND),
    }
    try:
        response = get_session().get(
            f"{endpoint()}/api/models", params=params, headers=build_hf_headers(), timeout=TIMEOUT_S
        )
        hf_raise_for_status(response)
        items = response.json()
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        raise SearchError(f"Hub unreachable: {endpoint()} answered HTTP {status} to the search") from None
    except ValueError:
        raise SearchError(f"Hub unreachable: {endpoint()} did not answer the search with JSON") from None
    except Exception as exc:  # network errors: httpx's, whichever module provides them
        raise SearchError(f"Hub unreachable: could not reach {endpoint()} ({type(exc).__name__})") from None
    if not isinstance(items, list):
        raise SearchError(f"Hub unreachable: {endpoint()} answered the search with something other than a list")
    records = []
    for item in items[:limit]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            item.setdefault("siblings", None)
            records.append(_record(ModelInfo(**item)))  # type: ignore[no-untyped-call]
    return tuple(records)
