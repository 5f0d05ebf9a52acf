"""Exact token counts offline (o200k_base, cl100k_base) and the measured fallback bound."""

from __future__ import annotations

import hashlib
import random
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tiktoken_ext import openai_public

from conftest import corpus_path
from secscan.synthesis import tokens
from secscan.synthesis.prompt import build_prompt
from synthesis_corpus import corpus_input

SOURCE = Path(__file__).resolve().parents[1] / "src" / "secscan"


@pytest.fixture
def no_vocabulary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Neither tiktoken's cache nor quicktok-v1: the fallback bound must be used."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty
    monkeypatch.setitem(sys.modules, "quicktok", None)  # as if not installed
    tokens._exact_encoder.cache_clear()
    yield
    tokens._exact_encoder.cache_clear()


def _corpus() -> Path:
    corpus = corpus_path()
    if corpus is None:
        pytest.skip("scanner corpus not present")
    return corpus


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_vocabulary_is_tiktokens_pinned_file(name: str) -> None:
    """The vocabulary comes from an installed package, verified against tiktoken's own hash."""
    vocabulary = tokens.VOCABULARIES[name]
    found = tokens._verified_file(vocabulary)
    assert found is not None, "quicktok-v1 (a dependency) ships both vocabularies"
    data, _origin = found
    assert hashlib.sha256(data).hexdigest() == vocabulary.sha256
    assert tokens.exact_available(name)


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_pattern_and_special_tokens_are_tiktokens(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken's constructors would download the file: read their pattern and specials without it."""
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: {})
    expected = getattr(openai_public, name)()
    assert tokens.VOCABULARIES[name].pat_str == expected["pat_str"]
    assert tokens.VOCABULARIES[name].special_tokens == expected["special_tokens"]


def test_known_counts() -> None:
    # tiktoken's README: cl100k_base encodes "hello world" as [15339, 1917]; o200k_base as [24912, 2375].
    assert tokens._encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]
    assert tokens._encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    assert tokens.count_tokens("hello world", "o200k_base") == 2
    assert tokens.count_tokens("<|endoftext|>") > 1, "special tokens in data are counted as plain text"


def test_a_corrupt_vocabulary_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    vocabulary = tokens.VOCABULARIES["o200k_base"]
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    cached = tokens._tiktoken_cache_file(vocabulary)
    assert cached is not None
    cached.write_bytes(b"aGVsbG8= 0\n")  # right place, wrong content
    monkeypatch.setitem(sys.modules, "quicktok", None)
    assert tokens._verified_file(vocabulary) is None


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-2024-05-13", "o200k_base"),
        ("gpt-4.1-mini", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo-2024-04-09", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("llama3.1:8b", "o200k_base"),
    ],
)
def test_encoding_for_model(model: str, encoding: str) -> None:
    assert tokens.encoding_for(model) == encoding


def _texts() -> dict[str, str]:
    corpus = _corpus()
    data = corpus_input(corpus)
    prompt = build_prompt(data, 8_000)
    texts = {"prompt.system": prompt.system, "prompt.user": prompt.user, "schema": prompt.schema}
    texts.update({str(p.relative_to(corpus)): p.read_text() for p in sorted(corpus.glob("*/*.json"))})
    texts.update({p.name: p.read_text() for p in sorted(SOURCE.glob("**/*.py"))[:30]})
    return texts


def test_fallback_bound_holds_and_is_tight_on_the_corpus() -> None:
    """The estimate never undercounts what secscan sends, and stays within 1.8x (the prompt within 1.3x)."""
    ratios: dict[str, float] = {}
    for name, text in _texts().items():
        for encoding in ("o200k_base", "cl100k_base"):
            exact = tokens.count_tokens(text, encoding)
            bound = tokens.estimate(text)
            assert bound >= exact, f"{name} ({encoding}): bound {bound} < exact {exact}"
            ratios[f"{name}/{encoding}"] = bound / exact
    assert max(ratios.values()) < 1.8, max(ratios.items(), key=lambda kv: kv[1])
    assert ratios["prompt.user/o200k_base"] < 1.3


def test_fallback_bound_on_identifiers_hex_and_punctuation() -> None:
    rnd = random.Random(7)
    for alphabet in ("0123456789abcdef", string.punctuation):
        for _ in range(200):
            text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(8, 120)))
            assert tokens.estimate(text) >= 0.75 * tokens.count_tokens(text), text


def test_offline_without_any_vocabulary_the_bound_is_used(no_vocabulary: None) -> None:
    assert not tokens.exact_available()
    assert tokens.method().startswith("estimate")
    text = '{"id":1,"c":"code","sv":"high","r":"python.sql-injection","t":"SQL built from request data"}'
    assert tokens.count_tokens(text) == tokens.estimate(text) > 0
    assert tokens.count_tokens("") == 0
    # A prompt built by the bound still fits the budget when counted exactly.
    prompt = build_prompt(corpus_input(_corpus()), 8_000)
    tokens._exact_encoder.cache_clear()
    sys.modules.pop("quicktok", None)
    exact = sum(tokens.count_tokens(t) for t in (prompt.system, prompt.user, prompt.schema))
    assert tokens.exact_available()
    assert exact <= prompt.tokens <= 8_000


def test_exact_count_agrees_with_an_independent_tokenizer() -> None:
    """quicktok's own native BPE (not tiktoken) gives the same counts on everything secscan sends."""
    import quicktok

    for encoding in ("o200k_base", "cl100k_base"):
        native = quicktok.get_encoding(encoding)
        for name, text in _texts().items():
            assert tokens.count_tokens(text, encoding) == len(native.encode(text)), f"{name} ({encoding})"
