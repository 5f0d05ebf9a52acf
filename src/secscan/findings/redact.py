"""Keep secret values out of everything secscan writes, logs or sends.

Scanners are asked to redact (gitleaks --redact, trivy masks by default), but their
outputs still carry secrets in places they do not consider (image environment,
build history, semgrep metavariables, error messages). Every string that leaves
secscan goes through `redact_text`: well-known credential formats, quoted values
assigned to secret-looking names, high-entropy tokens, and any value registered
at run time (our own API keys and tokens).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

MASK = "[REDACTED]"

_KNOWN_FORMATS = [
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{40,}\b",
    r"\bglpat-[A-Za-z0-9_-]{20,}\b",
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b",
    r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9_/+-]+",
    r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b",
    r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b",
    r"\bAIza[0-9A-Za-z_-]{35}\b",
    r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b",
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\bpypi-[A-Za-z0-9_-]{50,}\b",
    r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b",
    r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)",
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]+:[^\s@/'\"]+@",
]
_SECRET_NAME = r"[A-Za-z0-9_.-]*(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|auth)[A-Za-z0-9_.-]*"  # noqa: E501
_ASSIGNED_QUOTED = re.compile(rf"(?i)(\b{_SECRET_NAME}[\"']?\s*(?::=|=>|[:=])\s*)([\"'])([^\"'\n]{{6,}})\2")
_ASSIGNED_ENV = re.compile(rf"(?im)((?:^|[\s\"'\[,])(?:export\s+|ENV\s+|ARG\s+)?{_SECRET_NAME}=)([^\s\"',\]]{{6,}})")
_KNOWN = re.compile("|".join(f"(?:{p})" for p in _KNOWN_FORMATS))
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24,}(?![A-Za-z0-9+/_=-])")
_HEXISH = re.compile(r"^[0-9a-fA-F-]+$")
_DIGEST_PREFIX = re.compile(r"(?:sha(?:1|224|256|384|512)[-:]|md5[-:])$")
_ALREADY_MASKED = re.compile(r"^(?:\*+|REDACTED|\[REDACTED\]|<[^>]*>|\$\{[^}]*\}|\$\(.*\)|\{\{.*\}\})$")

_registered: set[str] = set()
_lock = threading.Lock()
# The registered values longest first (the order they are replaced in), and a memo of
# text -> redacted text that is valid for exactly that set: register_secret installs both
# anew (the order first), so no result computed before a registration is served after it.
_by_length: tuple[str, ...] = ()
_memo: dict[str, str] = {}
_MEMO_ENTRIES = 1 << 20  # full: the older half goes (one report's strings are seen by every output)
_MEMO_LENGTH = 4096


def register_secret(value: str | None) -> None:
    """Mask this exact value everywhere from now on (our own keys, tokens, webhook URLs).

    Short or spaced values ("a secret" in a scanner's test fixture) are not credentials
    and would mask ordinary words everywhere.
    """
    global _by_length, _memo
    if value and len(value) >= 8 and not any(c.isspace() for c in value):
        with _lock:
            if value in _registered:
                return
            _registered.add(value)
            _by_length = tuple(sorted(_registered, key=len, reverse=True))
            _memo = {}


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())


_PATH_WORD = re.compile(r"^(?:[a-z]{3,}|[0-9]+|.*[-_.].*)$")


def _is_path(token: str) -> bool:
    """Two or more `/` and a segment that is a word (`src`, `latest`), a number, or holds a
    separator (`WEB-INF`, `spring-beans-5`): a path. Random base64 with slashes in it (an AWS
    secret key, an Azure account key) has none such: `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`."""
    if token.count("/") < 2 or "+" in token:
        return False
    segments = [segment for segment in token.split("/") if segment]
    if any(_random_piece(piece) for piece in re.split(r"[/_.=-]", token)):
        return False  # `deploy/secrets/creds_<random>`: a path with a random name in it
    return any(_PATH_WORD.match(segment) for segment in segments)


def _random_piece(piece: str) -> bool:
    if len(piece) < 16 or _HEXISH.match(piece):
        return False
    return any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece) and _entropy(piece) >= 3.5


def _looks_random(token: str) -> bool:
    if _HEXISH.match(token) or _is_path(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    return has_digit and has_alpha and _entropy(token) >= 4.0


# Hosts whose URLs carry ids that are references, not credentials: mailing-list thread and message
# ids, article slugs and handles, advisory pages, source links (a report's links must still lead
# somewhere). GitHub only for its advisory pages.
_REFERENCE_HOSTS = (
    "lists.apache.org",
    "medium.com",
    "mail-archive.com",
    "marc.info",
    "seclists.org",
    "openwall.com",
    "openwall.net",
    "groups.google.com",
    "lore.kernel.org",
    "lkml.org",
    "access.redhat.com",
    "bugzilla.redhat.com",
    "bugzilla.suse.com",
    "bugs.debian.org",
    "security-tracker.debian.org",
    "lists.debian.org",
    "ubuntu.com",
    "lists.fedoraproject.org",
    "osv.dev",
    "nvd.nist.gov",
    "cve.mitre.org",
    "cve.org",
    "security.snyk.io",
    "snyk.io",
    "avd.aquasec.com",
    "huntr.dev",
    "huntr.com",
    "hackerone.com",
    "googlesource.com",
    "packetstormsecurity.com",
    "exchange.xforce.ibmcloud.com",
    "security.netapp.com",
    "security.gentoo.org",
    "pkg.go.dev",
    "rustsec.org",
    "gitlab.com/gitlab-org/advisories-community",
)
# `match(text, begin)` anchors at begin (a `^` would only match at the start of the whole text).
_URL_HEAD = re.compile(r"(?i)[a-z][a-z0-9+.-]*://(?:[^/@\s]*@)?([^/\s?#:]+)[^/\s?#]*(/[^\s?#]*)?")
_GITHUB_ADVISORY = re.compile(r"(?i)^/(?:advisories/|[^/]+/[^/]+/security/advisories/)")
_URL_START = re.compile(r"[\s\"'(<\[]")
# A slug: words joined by `-` (`Bash-5.0-Patch-11-Privilege-Escalation`), in a URL's path.
_SLUG = re.compile(r"^(?:[0-9]*[-_/.]?)(?:[A-Za-z]{3,}[-_][A-Za-z0-9]+)(?:[-_][A-Za-z0-9]+)*$")


def _in_reference_url(text: str, start: int, end: int) -> bool:
    begin = start
    while begin > 0 and not _URL_START.match(text[begin - 1]):
        begin -= 1
        if start - begin > 2048:
            return False
    head = _URL_HEAD.match(text, begin)
    if head is None:
        return False
    host = head.group(1).lower()
    if host == "github.com" or host.endswith(".github.com"):
        return _GITHUB_ADVISORY.match(head.group(2) or "") is not None
    if any(host == known or host.endswith("." + known) for known in _REFERENCE_HOSTS):
        return True
    return head.end(1) <= start and _SLUG.match(text[start:end]) is not None


_WORD_PREFIX = re.compile(r"^[A-Za-z]{3,12}[_-]")


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    prefix_start = max(0, match.start() - 8)
    if _DIGEST_PREFIX.search(match.string[prefix_start : match.start()]):
        return token
    if not _looks_random(token):
        return token
    if _in_reference_url(match.string, match.start(), match.end()):
        return token
    # Folders made of words and a leading word stay (`secrets/creds_[REDACTED].txt`): the file
    # can still be found, and nothing of the random part is kept.
    folders, slash, name = token.rpartition("/")
    if slash and not all(not part or _PATH_WORD.match(part) for part in folders.split("/")):
        folders, slash, name = "", "", token
    word = _WORD_PREFIX.match(name)
    if word is not None and len(name) - word.end() >= 16 and _looks_random(name[word.end() :]):
        return f"{folders}{slash}{word.group(0)}{MASK}"
    if slash and len(name) >= 16 and _looks_random(name):
        return f"{folders}{slash}{MASK}"
    return MASK


def _mask_quoted(match: re.Match[str]) -> str:
    value = match.group(3)
    if _ALREADY_MASKED.match(value) or " " in value.strip():
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}{match.group(2)}"


_CLOSERS = re.compile(r"[()\[\]{}<>;&]")


def _mask_env(match: re.Match[str]) -> str:
    value = match.group(2)
    cut = _CLOSERS.search(value)
    rest = ""
    if cut is not None:  # `password=None):` is code, not a value: what follows the bracket stays
        value, rest = value[: cut.start()], value[cut.start() :]
        if len(value) < 6:
            return match.group(0)
    if _ALREADY_MASKED.match(value) or value.startswith("$"):
        return match.group(0)
    return f"{match.group(1)}{MASK}{rest}"


def redact_text(text: str) -> str:
    """Mask every secret-looking value in text. Idempotent."""
    if not text:
        return text
    memo = _memo  # before _by_length: see register_secret
    done = memo.get(text)
    if done is not None:
        return done
    done = _redact(text, _by_length)
    if len(text) <= _MEMO_LENGTH:
        _remember(memo, text, done)
    return done


def _remember(memo: dict[str, str], text: str, done: str) -> None:
    if len(memo) >= _MEMO_ENTRIES:
        _forget_older_half(memo)
    memo[text] = done


def _forget_older_half(memo: dict[str, str]) -> None:
    for text in list(itertools.islice(memo, len(memo) // 2)):
        memo.pop(text, None)


# Speed without a change in meaning (benchmarks/check_redaction.py compares the two).
# A pattern is skipped where a cheap test proves it cannot match (a literal that every match
# contains is absent); in ASCII text `_sub` tries it only at candidate positions that include
# every position where a match could start, which gives exactly what `pattern.sub` gives
# (the same leftmost, non-overlapping matches and replacements) without running the regex
# engine at every character: _KNOWN costs about 1 us per character that way, and
# raw/ redaction runs over megabytes of scanner JSON.

# Every _KNOWN match starts with one of these (or, for URL credentials, contains "://").
_KNOWN_STARTS = (
    "AKIA",
    "ASIA",
    "AGPA",
    "AIDA",
    "AROA",
    "AIPA",
    "ANPA",
    "ANVA",
    "A3T",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "https://hooks.slack.com/",
    "sk_",
    "rk_",
    "pk_",
    "sk-",
    "AIza",
    "SG.",
    "npm_",
    "pypi-",
    "eyJ",
    "-----BEGIN",
)
_KNOWN_HINT = re.compile("|".join(re.escape(s) for s in (*_KNOWN_STARTS, "://")))
# Every _ASSIGNED_QUOTED / _ASSIGNED_ENV match contains one of these, in any case.
_KEYWORDS = ("secret", "token", "passw", "pwd", "key", "credential", "auth")
_KEYWORD = re.compile("(?i)" + "|".join(_KEYWORDS))
_LONG = 256
_HUGE = 1 << 16
# The hints above are derived from the patterns as they are; a changed pattern switches the
# shortcuts off (always correct, just slower) until the hints are checked and this updated.
_FAST = (
    hashlib.sha256("\0".join(p.pattern for p in (_KNOWN, _ASSIGNED_QUOTED, _ASSIGNED_ENV, _TOKEN)).encode()).hexdigest()
    == "8350a35d3ee383ecdfbab682b15a4892cc64b9fc13c56f33d8220d3d28bb814d"
)
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_SCHEME = _WORD - {"_"} | frozenset("+.-")
_NAME = _WORD | frozenset(".-")
_TOKEN_CHARS = bytes(97 if chr(i) in _WORD | frozenset("+/=-") else 32 for i in range(256))
_TOKEN_RUN = b"a" * 24
_USERINFO = re.compile(r"[^\s:/@'\"]+:[^\s@/'\"]+@")  # the end of _KNOWN's URL-credentials pattern
_AFTER_QUOTED_NAME = re.compile(r"[\"']?\s*(?::=|=>|[:=])\s*([\"'])[^\"'\n]{6,}\1")  # _ASSIGNED_QUOTED after NAME
_AFTER_ENV_NAME = re.compile(r"=[^\s\"',\]]{6,}")  # _ASSIGNED_ENV after NAME


def _sub(
    pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str, candidates: Iterable[int]
) -> str:
    """pattern.sub(repl, text), trying matches only at `candidates` (ascending; a superset of
    the positions where pattern can match; repl is a plain string or a function)."""
    pieces: list[str] = []
    position = 0
    for start in candidates:
        if start < position:
            continue
        match = pattern.match(text, start)
        if match is None:
            continue
        pieces.append(text[position:start])
        pieces.append(repl if isinstance(repl, str) else repl(match))
        position = match.end()
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def _find_all(text: str, literal: str) -> Iterable[int]:
    index = text.find(literal)
    while index != -1:
        yield index
        index = text.find(literal, index + 1)


def _run_start(text: str, index: int, chars: frozenset[str]) -> int:
    while index > 0 and text[index - 1] in chars:
        index -= 1
    return index


def _known_candidates(text: str) -> list[int]:
    found = {i for literal in _KNOWN_STARTS for i in _find_all(text, literal)}
    for colon in _find_all(text, "://"):  # URL credentials: a scheme at a word boundary
        if _USERINFO.match(text, colon + 3) is None:
            continue  # no `user:password@` after it: no match can use this "://"
        for i in range(_run_start(text, colon, _SCHEME), colon):
            if text[i].isalpha() and (i == 0 or text[i - 1] not in _WORD):
                found.add(i)
    return sorted(found)


def _name_candidates(text: str, lowered: str, env: bool) -> list[int]:
    """Where a match with a secret-looking name in it can start (text is ASCII).

    NAME always ends where its run of name characters ends (what follows it, a quote,
    space, `:` or `=`, is not a name character), so a run whose end is not followed by
    what the pattern needs there (an assignment and a value) holds no match at all."""
    after = _AFTER_ENV_NAME if env else _AFTER_QUOTED_NAME
    keywords = sorted({k for keyword in _KEYWORDS for k in _find_all(lowered, keyword)})
    found: set[int] = set()
    covered, start, end, viable = -1, -1, -1, False
    size = len(text)
    for k in keywords:
        if k >= end:  # a keyword (name characters only) in a run not seen yet
            start = k
            while start > 0 and text[start - 1] in _NAME:
                start -= 1
            end = k
            while end < size and text[end] in _NAME:
                end += 1
            viable = after.match(text, end) is not None
        if not viable:
            continue
        if not env:  # \b NAME: NAME starts anywhere from the run's start up to the keyword
            found.update(range(max(start, covered + 1), k + 1))
            covered = k
            continue
        # (^|separator)(export|ENV|ARG \s+)? NAME: NAME starts where its run does
        found.update((start - 1, start))
        if start and text[start - 1].isspace():
            space = start - 1
            while space > 0 and text[space - 1].isspace():
                space -= 1
            found.update(range(space - 7, space))
    return sorted(i for i in found if i >= 0)


def _token_candidates(text: str) -> list[int]:
    """Starts of runs of 24 or more token characters that `_mask_token` would mask (text is
    ASCII). A run is always matched whole, so one it would keep (a hex digest, a path)
    changes nothing and consumes nothing another match could use: it is left out."""
    marks = text.encode("ascii").translate(_TOKEN_CHARS)
    found = []
    index = marks.find(_TOKEN_RUN)
    while index != -1:
        end = marks.find(b" ", index)
        run = text[index:] if end == -1 else text[index:end]
        if _HEXISH.match(run) is None and _looks_random(run):
            found.append(index)
        if end == -1:
            break
        index = marks.find(_TOKEN_RUN, end)
    return found


# --- formats the scanners' rule sets know beyond the core patterns above ---------------------
# (tests/secret_formats.py: every gitleaks and trivy built-in rule). Applied after the
# assignments and before the token rule, the same way in both paths: by `pattern.sub`, or by
# `_sub` at candidate positions that include every place a match can start.

# Values with a distinctive prefix: masked wherever they appear, with no name beside them.
_PREFIXES = (
    "p8e-",
    "LTAI",
    "dapi",
    "pul-",
    "ico-",
    "pnu_",
    "rdme_",
    "hf_",
    "api_org_",
    "lin_api_",
    "glsa_",
    "glc_",
    "glptt-",
    "gldt-",
    "glft-",
    "glrt-",
    "glimt-",
    "glsoat-",
    "glcbt-",
    "glffct-",
    "glagent-",
    "gloas-",
    "GR1348941",
    "sntryu_",
    "sntrys_",
    "sm_aat_",
    "sm_pat_",
    "sm_sat_",
    "shpat_",
    "shpca_",
    "shppa_",
    "shpss_",
    "shippo_live_",
    "shippo_test_",
    "rubygems_",
    "xkeysib-",
    "doo_v1_",
    "dop_v1_",
    "dor_v1_",
    "dp.pt.",
    "dt0c01.",
    "tk-us-",
    "pplx-",
    "ntn_",
    "fio-u-",
    "duffel_live_",
    "duffel_test_",
    "EZAK",
    "EZTK",
    "CLOJARS_",
    "FLWSECK_TEST",
    "FLWPUBK_TEST",
    "PMAK-",
    "NRJS-",
    "NRAK-",
    "NRII-",
    "packagist_",
    "pscale_tkn_",
    "pscale_pw_",
    "pscale_oauth_",
    "ek_",
    "hvs.",
    "hvb.",
    "AGE-SECRET-KEY-1",
    "HRKU-AA",
    "ATATT3",
    "AKCp",
    "ABSK",
    "xapp-",
    "xoxe.",
    "xoxe-",
    "sq0atp-",
    "EAAA",
    "EAAM",
    "EAAC",
    "s-s4t2ud-",
    "s-s4t2af-",
    "ion_",
    "tfp_",
    "sha256~",
    "dnkey-",
    "b_",
    "sl.",
    "fo1_",
    "fm1a_",
    "fm1r_",
    "fm2_",
    "squ_",
    "sqp_",
    "sqa_",
    "AQVN",
    "YC",
    "t1.",
    "sgp_",
    "cmVmd",
    "4b1d",
    "ops_eyJ",
    "ZXlK",
    "bedrock-api-key-",
    "_gitlab_session=",
    "v1.0-",
)
_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9_])(?:" + "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True)) + r")"
    r"[A-Za-z0-9_.=+/~-]{8,}(?:\|[A-Za-z0-9_.=+/~-]+)?"
)
# Shapes without a literal start: each is found from a literal inside it (see _shape_candidates).
_SHAPES = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            r"\bSK[0-9a-fA-F]{32}\b",  # twilio: hex, kept by the token rule
            r"\bA3-[A-Z0-9]{6}-[A-Z0-9-]{11,12}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b",  # 1password secret key
            r"\b(?:pub)?key-[a-f0-9]{32}\b",  # mailgun
            r"\b[a-f0-9]{32}-us\d{1,2}\b",  # mailchimp
            r"\b(?:live|test)_(?:pub_)?[a-f0-9]{30,}\b",  # lob, gocardless
            r"\b[ps]at\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b",  # harness
            r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b",  # airtable
            r"\b[a-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",  # terraform cloud
            r"\b[ps]k\.[A-Za-z0-9]{20,}\.[A-Za-z0-9_-]{10,}",  # mapbox
            r"\b(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][A-Za-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}",
            r"(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}",  # azure AD client secret
            r"\b\d{15,16}(?:\||%7[Cc])[0-9A-Za-z_-]{27,40}",  # facebook access token
            r"\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk\b",  # maxmind
            r"https?://[A-Za-z0-9.-]+\.webhook\.office\.com/webhookb2/[^\s\"'<>]+",  # teams webhook
            r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]+",
            r"\bsig=[A-Za-z0-9%+/=]{20,}",  # azure SAS signature
            r"ThisTokenIsNotSoSecretChange(?:It)|ThisEzPlatformTokenIsNotSoSecret_PleaseChange(?:It)",  # symfony defaults  # noqa: E501
        )
    )
)
# (literal, how far before it a match can start): every _SHAPES match contains one of these.
_SHAPE_ANCHORS = (
    ("SK", 0),
    ("A3-", 0),
    ("-us", 32),
    ("key-", 3),
    ("live_", 0),
    ("test_", 0),
    ("at.", 1),
    ("pat", 0),
    (".atlasv1.", 14),
    ("k.", 1),
    (".acc", 48),
    ("Q~", 4),
    ("|", 16),
    ("%7", 16),
    ("_mmk", 36),
    (".webhook.office.com", 2048),
    ("hooks.slack.com/", 8),
    ("sig=", 0),
    ("TokenIsNotSoSecret", 14),
)

# name = value, name: value, name => value, ?name=value, (name=value), `X-Api-Key: value`, with or
# without spaces, for names that say "credential" (a service's client id and key included): the
# value is masked when it looks like one (not a word, a path, a URL, a placeholder).
_LOOSE_NAME = (
    r"[A-Za-z0-9_.-]*(?:secret|token|passw(?:or)?d|passphrase|pwd|api[_-]?key|apikey|access[_-]?(?:key|id)|"
    r"private[_-]?key|credential|auth|client[_-]?(?:id|secret)|api[_-]?id|signing[_-]?key|[_.-]key|sid)[A-Za-z0-9_.-]*"
)
_LOOSE_VALUE = r"[^\s\"'`,()\[\]{}<>;&|\\]{6,}"
_LOOSE_ASSIGNED = re.compile(
    rf"(?i)((?<![A-Za-z0-9_.-]){_LOOSE_NAME}[\"']?[ \t]*(?::=|=>|[:=])[ \t]*(?:(?:bearer|basic|token|bot)[ \t]+)?)({_LOOSE_VALUE})"  # noqa: E501
)
_LOOSE_KEYWORDS = (
    "secret",
    "token",
    "passw",
    "passphrase",
    "pwd",
    "key",
    "access",
    "credential",
    "auth",
    "client",
    "api",
    "sid",
)
_DOCKER_ENV = re.compile(rf"((?<![A-Za-z0-9_])(?:ENV|ARG)[ \t]+(?i:{_LOOSE_NAME})[ \t]+)({_LOOSE_VALUE})")
_XML_VALUE = re.compile(
    r"(?i)(<[ \t]*(password|passphrase|master|secret|token)[ \t]*>[ \t]*)([^<\s\0][^<\n\0]*?)([ \t]*<[ \t]*/[ \t]*\2[ \t]*>)"  # noqa: E501
)
_NUGET_VALUE = re.compile(
    r"(?i)(<add[ \t]+key[ \t]*=[ \t]*\"[^\"\n\0]*(?:password|secret|token|key)[^\"\n\0]*\"[ \t]+value[ \t]*=[ \t]*\")([^\"\n\0]+)(\")"  # noqa: E501
)
_CURL_USER = re.compile(r"((?<!\S)(?:-u|--user)(?:[ \t]+|=)['\"]?)([^\s'\":]+:[^\s'\"]+)")
_AUTH_SCHEME = re.compile(r"(?i)(\b(?:bearer|basic)[ \t]+)([A-Za-z0-9._~+/-]{8,}=*)")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:none|null|nil|true|false|undefined|changeme|required|optional|string|example|your[_-].*|x{3,}|\*+)$"
)


def _credential_like(value: str) -> bool:
    if len(value) < 8 or _ALREADY_MASKED.match(value) or _PLACEHOLDER.match(value):
        return False
    if (
        value.startswith(("$", "/", ".", "~", "%"))
        or "://" in value
        or value.endswith((".py", ".js", ".json", ".yaml", ".yml", ".txt"))
    ):
        return False
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    if digits and letters:
        return True
    if value.isdigit():
        return len(value) >= 12
    if len(value) >= 16 and any(c.isupper() for c in value) and any(c.islower() for c in value):
        return True
    # letters only: a random string has no word's repeats (`authentication` 3.0 bits a letter)
    if len(value) < 12 or not value.isalpha():
        return False
    vowels = sum(c in "aeiouAEIOU" for c in value) / len(value)
    return _entropy(value) >= 3.3 or vowels < 0.25


def _mask_loose(match: re.Match[str]) -> str:
    return f"{match.group(1)}{MASK}" if _credential_like(match.group(2)) else match.group(0)


def _mask_docker(match: re.Match[str]) -> str:
    value = match.group(2)
    keep = _ALREADY_MASKED.match(value) or value.startswith("$") or _PLACEHOLDER.match(value)
    return match.group(0) if keep else f"{match.group(1)}{MASK}"


def _mask_xml(match: re.Match[str]) -> str:
    value = match.group(3)
    if _ALREADY_MASKED.match(value) or value.startswith("$"):
        return match.group(0)
    return f"{match.group(1)}{MASK}{match.group(4)}"


def _mask_middle(match: re.Match[str]) -> str:
    return f"{match.group(1)}{MASK}{match.group(3)}" if not _ALREADY_MASKED.match(match.group(2)) else match.group(0)


def _mask_second(match: re.Match[str]) -> str:
    return f"{match.group(1)}{MASK}"


def _mask_scheme(match: re.Match[str]) -> str:
    value = match.group(2)
    return f"{match.group(1)}{MASK}" if any(c.isdigit() for c in value) or len(value) >= 20 else match.group(0)


def _prefix_candidates(text: str) -> list[int]:
    return sorted({i for prefix in _PREFIXES for i in _find_all(text, prefix)})


def _shape_candidates(text: str) -> list[int]:
    found: set[int] = set()
    for literal, before in _SHAPE_ANCHORS:
        for index in _find_all(text, literal):
            found.update(range(max(0, index - before), index + 1))
    return sorted(found)


def _loose_candidates(text: str) -> list[int]:
    """The start of every run of name characters holding a keyword (the name has no name
    character before it, so a match starts exactly there)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # case folding changed lengths: positions would not line up
        return list(range(len(text)))
    found: set[int] = set()
    for keyword in _LOOSE_KEYWORDS:
        for index in _find_all(lowered, keyword):
            start = index
            while start > 0 and text[start - 1] in _NAME:
                start -= 1
            found.add(start)
    return sorted(found)


def _extras(text: str, fast: bool = True) -> str:
    """The steps after the assignments: scanner-known formats, loose assignments, config shapes."""
    steps: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], Callable[[str], list[int]]]] = [
        (_PREFIXED, MASK, _prefix_candidates),
        (_SHAPES, MASK, _shape_candidates),
        (_LOOSE_ASSIGNED, _mask_loose, _loose_candidates),
    ]
    ascii_text = text.isascii()  # case-insensitive names match U+017F, U+212A: those go the plain way
    for pattern, repl, candidates in steps:
        plain = not fast or (pattern is _LOOSE_ASSIGNED and not ascii_text)
        text = pattern.sub(repl, text) if plain else _sub(pattern, repl, text, candidates(text))
    if "ENV" in text or "ARG" in text:
        text = _DOCKER_ENV.sub(_mask_docker, text)
    lowered = text.lower()
    if "</" in text:
        text = _XML_VALUE.sub(_mask_xml, text)
    if "<add" in lowered:
        text = _NUGET_VALUE.sub(_mask_middle, text)
    if "-u" in text:
        text = _CURL_USER.sub(_mask_second, text)
    if "bearer" in lowered or "basic" in lowered:
        text = _AUTH_SCHEME.sub(_mask_scheme, text)
    return text


def _redact(text: str, registered: tuple[str, ...]) -> str:
    for value in registered:
        if value in text:
            text = text.replace(value, MASK)
    if not _FAST:
        text = _KNOWN.sub(MASK, text)
        text = _ASSIGNED_QUOTED.sub(_mask_quoted, text)
        text = _ASSIGNED_ENV.sub(_mask_env, text)
        return _TOKEN.sub(_mask_token, _extras(text, fast=False))
    ascii_text = text.isascii()  # every replacement below is ASCII: it stays so
    if ascii_text and len(text) > _HUGE:  # a hint is all but certain: skip looking for one
        candidates = _known_candidates(text)
        if candidates:
            text = _sub(_KNOWN, MASK, text, candidates)
    elif _KNOWN_HINT.search(text):
        if ascii_text and len(text) >= 32:
            text = _sub(_KNOWN, MASK, text, _known_candidates(text))
        else:
            text = _KNOWN.sub(MASK, text)
    if "=" in text or ":" in text:
        if not ascii_text:
            if _KEYWORD.search(text):
                text = _ASSIGNED_QUOTED.sub(_mask_quoted, text)
                text = _ASSIGNED_ENV.sub(_mask_env, text)
        else:
            lowered = text.lower()
            if any(k in lowered for k in _KEYWORDS):
                text = _sub(_ASSIGNED_QUOTED, _mask_quoted, text, _name_candidates(text, lowered, env=False))
                if "=" in text:
                    text = _sub(_ASSIGNED_ENV, _mask_env, text, _name_candidates(text, text.lower(), env=True))
    text = _extras(text)
    if len(text) < 24:  # the shortest _TOKEN match
        return text
    if ascii_text and len(text) >= _LONG:
        return _sub(_TOKEN, _mask_token, text, _token_candidates(text))
    return _TOKEN.sub(_mask_token, text)


def redact_json(value: Any) -> Any:
    """Redact every string (keys included) inside a parsed JSON document.

    A new document where a string had to change; the document itself where none did
    (callers hand over documents of their own, to serialize them)."""
    if isinstance(value, str):
        return redact_text(value)
    if not isinstance(value, (list, dict)):
        return value
    found: set[str] = set()
    pending = [value]
    while pending:  # every distinct string once (keys too), however often it repeats
        item = pending.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            found.update(k if isinstance(k, str) else str(k) for k in item)
            pending.extend(item.values())
    done = _redact_many(found)
    if all(done[text] == text for text in found):
        return value
    return _rebuild(value, done)


def _rebuild(value: Any, done: dict[str, str]) -> Any:
    # the shape of the walk redact_json always made: a document too deeply nested to walk
    # raises RecursionError at the same depth as before (callers rely on that)
    if isinstance(value, str):
        return done[value]
    if isinstance(value, list):
        return [_rebuild(item, done) for item in value]
    if isinstance(value, dict):
        return {done[str(k)]: _rebuild(v, done) for k, v in value.items()}
    return value


# Many short strings are redacted as one text, joined by a separator no pattern can match
# into or across: "\n" ends every character class a match could run on with (values, URL
# parts, tokens), "\0" stops what may span whitespace (`\s*` around `=`/`:`, `export\s+`),
# and \b, ^ (multiline), the token lookarounds and the digest-prefix test see at a piece's
# edge what they see at a string's. Only `$` (private keys) would differ: such texts, like
# non-ASCII ones and any holding "\0", are redacted alone.
_SEPARATOR = "\n\0\n"
_BATCH = 1 << 20


def _redact_many(texts: Iterable[str]) -> dict[str, str]:
    memo = _memo  # before _by_length: see register_secret
    registered = _by_length
    done: dict[str, str] = {}
    batch: list[str] = []
    size = 0

    def flush() -> None:
        parts = _redact(_SEPARATOR.join(batch), registered).split(_SEPARATOR)
        if len(parts) != len(batch):  # cannot happen (see above); stay exact if it ever does
            parts = [_redact(text, registered) for text in batch]
        for text, result in zip(batch, parts, strict=True):
            if result == text:
                result = text  # the same object: callers test identity to skip a rebuild
            done[text] = result
            if len(text) <= _MEMO_LENGTH:
                _remember(memo, text, result)

    for text in texts:
        known = memo.get(text) if text else text
        if known is not None:
            done[text] = known
        elif _FAST and text.isascii() and "\0" not in text and "-----BEGIN" not in text:
            batch.append(text)
            size += len(text) + len(_SEPARATOR)
            if size >= _BATCH:
                flush()
                batch, size = [], 0
        else:
            done[text] = redact_text(text)
    if batch:
        flush()
    return done


def mask_env_values(entries: list[Any]) -> list[Any]:
    """`KEY=value` environment entries (image configs) keep their names, never their values."""
    masked: list[Any] = []
    for entry in entries:
        if isinstance(entry, str) and "=" in entry:
            name, _, value = entry.partition("=")
            masked.append(f"{name}={MASK}" if value else entry)
        else:
            masked.append(entry)
    return masked
