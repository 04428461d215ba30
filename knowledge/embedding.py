"""The embedding model: the project's own "builtin" model (built from the catalogue) or any sentence-transformers model.

    model_spec(name)                     the configured model: argument, else BK_EMBEDDING_MODEL, else "builtin"
    builtin_dir()                        where the builtin model lives (BK_MODEL_DIR, default knowledge/build/model)
    build_builtin_model(catalogue, dir)  train the builtin model (deterministic) and save it
    builtin_is_current(catalogue, dir)   the saved builtin model was trained on this catalogue with this recipe
    load_encoder(spec)                   an Encoder; raises ModelLoadError
    model_hash(path)                     SHA-256 over the model files

The builtin model is a sentence-transformers ``StaticEmbedding`` (mean of trained token vectors) with a tokenizer
trained on the catalogue text (HF ``tokenizers``, BPE), fine-tuned on question → service pairs from the
catalogue (titles, synonyms, search terms, example questions, and the sentences of the longer texts) with
``MultipleNegativesRankingLoss``. torch and sentence-transformers are imported only inside the functions.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.errors import ModelLoadError

if TYPE_CHECKING:
    from knowledge.catalogue import Catalogue
    from knowledge.schema import Service

BUILTIN = "builtin"
MODEL_ENV = "BK_EMBEDDING_MODEL"
MODEL_DIR_ENV = "BK_MODEL_DIR"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "build" / "model"
TRAINING_FILE = "training.json"  # written next to the builtin model: what it was trained from


@dataclass(frozen=True)
class TrainingConfig:
    """The recipe of the builtin model; any change makes a saved model outdated."""

    recipe: int = 1  # bump when the training code changes in a way the fields below do not show
    seed: int = 20261123
    tokenizer: str = "bpe"  # the only kind train_tokenizer builds; kept in the recipe that saved models record
    vocab_size: int = 3000
    dimension: int = 256
    epochs: int = 6
    batch_size: int = 32
    learning_rate: float = 0.05
    init_std: float = 0.02
    scale: float = 20.0


def model_spec(name: str | os.PathLike[str] | None = None) -> str:
    """The model to use: the argument, else the BK_EMBEDDING_MODEL variable, else "builtin"."""
    spec = str(name) if name is not None else (os.environ.get(MODEL_ENV, "").strip() or BUILTIN)
    if spec != BUILTIN and Path(spec).expanduser().exists():
        return str(Path(spec).expanduser().resolve())  # one spelling per folder, so manifests compare
    return spec


def builtin_dir() -> Path:
    """The folder of the builtin model (BK_MODEL_DIR, default knowledge/build/model)."""
    configured = os.environ.get(MODEL_DIR_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_MODEL_DIR


def model_path(spec: str) -> Path | None:
    """The local folder of a model spec ("builtin" or an existing path); None for a hub name."""
    if spec == BUILTIN:
        return builtin_dir()
    path = Path(spec).expanduser()
    return path if path.exists() else None


def model_hash(path: Path) -> str:
    """SHA-256 over the relative names and contents of every file of a model folder (training.json excluded)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.name != TRAINING_FILE):
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


# --- training data ---------------------------------------------------------------------------------------


def passage_text(service: Service) -> str:
    """The text embedded for a service in the dense index: names, search words, teaser and full text. German only:
    trained with the English texts too (and its tokenizer on them), the builtin model ranked German conversations
    worse (README, "Languages")."""
    parts = [service.title, service.title_short or "", *service.synonyms, *service.search_terms]
    parts += [service.teaser, service.full_text]
    return "\n".join(p for p in parts if p)


def _sentences(text: str) -> list[str]:
    """Sentences of a text (split at ". ", "? ", "! ", line breaks), at least three words each."""
    import re

    pieces = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in pieces if len(p.split()) >= 3]


def training_pairs(catalogue: Catalogue) -> list[tuple[str, str, str]]:
    """(anchor, passage, service id) pairs: what people call or ask about a service → its passage text."""
    pairs: list[tuple[str, str, str]] = []
    for service in catalogue:
        passage = passage_text(service)
        anchors = [service.title, *([service.title_short] if service.title_short else [])]
        anchors += [*service.synonyms, *service.search_terms, *service.example_questions]
        # other views of the same service: sentences of texts that are not part of the passage
        for text in (service.leichte_sprache, *service.prerequisites, *service.procedure, *service.hints):
            anchors += _sentences(text)
        for anchor in dict.fromkeys(a for a in anchors if a):
            pairs.append((anchor, passage, service.id))
    return pairs


def tokenizer_texts(catalogue: Catalogue) -> list[str]:
    """What the tokenizer learns its vocabulary from: the German lexical texts (see passage_text)."""
    from knowledge.lexical import all_texts

    return all_texts(catalogue, translations=False)


def training_hash(catalogue: Catalogue) -> str:
    """Fingerprint of the training data (the tokenizer's texts, the pairs and passages): a change of what the model
    learns from, not only of the catalogue, makes the saved model outdated."""
    digest = hashlib.sha256()
    for text in tokenizer_texts(catalogue):
        digest.update(f"{text}\x1e".encode())
    for anchor, passage, service_id in training_pairs(catalogue):
        digest.update(f"{anchor}\x1f{passage}\x1f{service_id}\x1e".encode())
    return digest.hexdigest()


def _batches(pairs: Sequence[tuple[str, str, str]], size: int, rng: random.Random) -> Iterator[list[int]]:
    """Shuffled batches in which every service occurs at most once (no false in-batch negatives)."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    pending: list[list[int]] = []
    for index in order:
        service = pairs[index][2]
        for batch in pending:
            if len(batch) < size and all(pairs[i][2] != service for i in batch):
                batch.append(index)
                break
        else:
            pending.append([index])
        full = [b for b in pending if len(b) == size]
        for batch in full:
            pending.remove(batch)
            yield batch
    for batch in pending:
        if len(batch) > 1:
            yield batch


def train_tokenizer(texts: Sequence[str], vocab_size: int) -> Any:
    """A BPE subword tokenizer trained on the texts; lower case, umlauts folded to "ae"/"oe"/"ue", "ß" to "ss".
    (BPE because the Unigram and WordPiece trainers were not deterministic: docs/retrieval.md.)"""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], min_frequency=1, show_progress=False)
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.NFC(),
            normalizers.Lowercase(),
            normalizers.Replace("ä", "ae"),
            normalizers.Replace("ö", "oe"),
            normalizers.Replace("ü", "ue"),
            normalizers.Replace("ß", "ss"),
            normalizers.NFD(),
            normalizers.StripAccents(),
            normalizers.Replace(Regex(r"[^\w\s§]"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    tokenizer.train_from_iterator(list(texts), trainer=trainer)
    return tokenizer


def build_builtin_model(
    catalogue: Catalogue, directory: Path | None = None, config: TrainingConfig | None = None
) -> Path:
    """Train the builtin model on the catalogue and save it (deterministic: same catalogue → same files)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    config = config or TrainingConfig()
    directory = directory or builtin_dir()
    started = time.perf_counter()
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        torch.manual_seed(config.seed)
        rng = random.Random(config.seed)
        tokenizer = train_tokenizer(tokenizer_texts(catalogue), config.vocab_size)
        weights = torch.randn(tokenizer.get_vocab_size(), config.dimension) * config.init_std
        static = StaticEmbedding(tokenizer, embedding_weights=weights)
        static.embedding.sparse = True  # a batch touches few token rows: update only those
        model = SentenceTransformer(modules=[static, Normalize()], device="cpu")
        loss = MultipleNegativesRankingLoss(model, scale=config.scale)
        optimizer = torch.optim.SparseAdam(list(model.parameters()), lr=config.learning_rate)

        pairs = training_pairs(catalogue)
        anchor_ids = [static.tokenizer.encode(a, add_special_tokens=False).ids for a, _, _ in pairs]
        passages = sorted({p for _, p, _ in pairs})
        passage_ids = {p: static.tokenizer.encode(p, add_special_tokens=False).ids for p in passages}

        def features(id_lists: list[list[int]]) -> dict[str, torch.Tensor]:
            offsets = torch.tensor(np.cumsum([0] + [len(x) for x in id_lists[:-1]]), dtype=torch.long)
            flat = torch.tensor([t for ids in id_lists for t in ids], dtype=torch.long)
            return {"input_ids": flat, "offsets": offsets}

        model.train()
        losses: list[float] = []
        for _ in range(config.epochs):
            total = 0.0
            for batch in _batches(pairs, config.batch_size, rng):
                anchors = features([anchor_ids[i] for i in batch])
                positives = features([passage_ids[pairs[i][1]] for i in batch])
                value = loss([anchors, positives], torch.empty(0))
                optimizer.zero_grad()
                value.backward()
                optimizer.step()
                total += float(value.detach())
            losses.append(round(total, 6))
        model.eval()
        static.embedding.sparse = False
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.rglob("*"):
            if old.is_file():
                old.unlink()
        model.save(str(directory), create_model_card=False)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    info = {
        "catalogue_hash": catalogue.content_hash(),
        "training_hash": training_hash(catalogue),
        "config": config.__dict__,
        "pairs": len(pairs),
        "vocab_size": tokenizer.get_vocab_size(),
        "epoch_losses": losses,
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    (directory / TRAINING_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory


def builtin_is_current(catalogue: Catalogue, directory: Path | None = None) -> bool:
    """Whether the saved builtin model exists and was trained on this catalogue with the current recipe."""
    directory = directory or builtin_dir()
    try:
        info = json.loads((directory / TRAINING_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        info.get("catalogue_hash") == catalogue.content_hash()
        and info.get("training_hash") == training_hash(catalogue)
        and info.get("config") == TrainingConfig().__dict__
        and (directory / "modules.json").is_file()
    )


# --- loading and encoding --------------------------------------------------------------------------------


class Encoder:
    """Turns texts into L2-normalised float32 vectors with a loaded sentence-transformers model."""

    def __init__(self, spec: str, model: Any, path: Path | None) -> None:
        self.spec = spec
        self.path = path
        self.model = model
        self.dimension = int(model.get_embedding_dimension())
        self._static = _static_parts(model)

    def fingerprint(self) -> str:
        """SHA-256 of the model files (local folder) or of the weights (hub model)."""
        if self.path is not None:
            return model_hash(self.path)
        digest = hashlib.sha256()
        for name, tensor in sorted(self.model.state_dict().items()):
            digest.update(name.encode("utf-8") + b"\0")
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return "weights:" + digest.hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, one row per text."""
        if self._static is not None:
            return np.vstack([self._encode_static(t) for t in texts]) if texts else np.zeros((0, self.dimension))
        vectors = self.model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def _encode_static(self, text: str) -> np.ndarray:
        """The fast path for a StaticEmbedding model: mean of token vectors, without torch."""
        assert self._static is not None
        tokenizer, table = self._static
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        if not ids:
            return np.zeros(self.dimension, dtype=np.float32)
        vector = table[ids].mean(axis=0)
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm > 0 else vector).astype(np.float32)


def _static_parts(model: Any) -> tuple[Any, np.ndarray] | None:
    """(tokenizer, embedding table) when the model is a StaticEmbedding (plus an optional Normalize), else None."""
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    modules = list(model)
    if not modules or not isinstance(modules[0], StaticEmbedding):
        return None
    if any(not isinstance(m, Normalize) for m in modules[1:]):
        return None
    first = modules[0]
    if first.embedding.mode != "mean":
        return None
    table = first.embedding.weight.detach().cpu().numpy().astype(np.float32)
    return first.tokenizer, table


def _in_hub_cache(name: str) -> bool:
    """Whether a hub model is in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "modules.json"), str)
    except Exception:
        return False


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face hub answers on its port (false at once when HF_HUB_OFFLINE is set)."""
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def load_encoder(spec: str | None = None) -> Encoder:
    """Load the model of a spec ("builtin", a folder or a hub name); raises ModelLoadError with the reason."""
    spec = model_spec(spec)
    path = model_path(spec)
    if spec == BUILTIN and (path is None or not (path / "modules.json").is_file()):
        raise ModelLoadError(
            f"the builtin embedding model is missing in {path}; build it with: make index (python -m knowledge build)"
        )
    local_only = False
    if path is None:
        cached = _in_hub_cache(spec)
        reachable = _hub_reachable()
        if not cached and not reachable:
            raise ModelLoadError(
                f"cannot load the embedding model {spec!r}: it is not in the local Hugging Face cache and the hub "
                "is unreachable (offline). Use BK_EMBEDDING_MODEL=builtin, a model folder, "
                "or a machine with hub access."
            )
        local_only = cached and not reachable
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(path) if path is not None else spec, device="cpu", local_files_only=local_only)
    except Exception as exc:
        where = f"folder {path}" if path is not None else f"hub model {spec!r}"
        raise ModelLoadError(f"cannot load the embedding model from {where}: {type(exc).__name__}: {exc}") from exc
    model.eval()
    return Encoder(spec, model, path)
