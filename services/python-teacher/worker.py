#!/usr/bin/env python3
"""ActiveSynth Teacher worker, second implementation (Python: standard library + redis + protobuf).

Speaks the same contract as services/ActiveSynth.Teacher (protos/README.md): consumer group ``teacher`` on
``activesynth:generate:requests`` (GenerateChunk -> GenerateChunkResult on ``activesynth:generate:results``) and on
``activesynth:probe:requests`` (ProbeRequest -> ProbeReply on ``activesynth:probe:results``). The teacher is an
OpenAI-compatible chat-completions endpoint (ConnectionStrings__teacher = ``Endpoint=...;Key=...;Model=...``) called
with the same versioned prompts (lib/ActiveSynth.Teachers/Prompts) and checked with the same format rules. See
README.md next to this file for configuration, guarantees and what differs from the .NET teacher.
"""

import concurrent.futures
import hashlib
import json
import logging
import os
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
TOOLS = os.path.join(REPO, ".tools", "python-teacher")

# Debian 12's python3-protobuf has a C extension that needs libprotobuf32; the pure-Python runtime needs nothing.
os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")


def _import_dependencies():
    """redis and protobuf from the environment, else from the folder services/python-teacher/prepare.sh fills."""
    try:
        import redis  # noqa: F401
        import google.protobuf  # noqa: F401
    except ImportError:
        site = os.path.join(TOOLS, "site")
        if os.path.isdir(site):
            sys.path.insert(0, site)
    try:
        import redis  # noqa: F401
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: F401
    except ImportError as e:
        sys.stderr.write(
            "python-teacher: cannot import redis and protobuf (%s). Run services/python-teacher/prepare.sh (or build "
            "tests/ActiveSynth.PythonTeacher.Tests), or install python3-redis and python3-protobuf.\n" % e)
        sys.exit(2)


_import_dependencies()

import redis  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402

log = logging.getLogger("python-teacher")

# Names that are part of the contract (protos/Streams.cs, lib/ActiveSynth.Messaging/StreamEntryFields.cs, StreamKeys.cs).
GENERATE_REQUESTS = "activesynth:generate:requests"
GENERATE_RESULTS = "activesynth:generate:results"
PROBE_REQUESTS = "activesynth:probe:requests"
PROBE_RESULTS = "activesynth:probe:results"
GROUP = "teacher"
KIND = "teacher"
F_TYPE, F_PAYLOAD, F_RUN, F_ID, F_TRACEPARENT, F_TRACESTATE, F_ATTEMPT = (
    b"type", b"payload", b"run", b"id", b"traceparent", b"tracestate", b"attempt")
DEAD_FIELDS = (b"error", b"source_stream", b"source_entry", b"group", b"consumer", b"deliveries")
MAX_ERROR_LENGTH = 2000
REPLIED_EFFECT = "result"  # RequestStreamHandler's effect name


def dead_letter_stream(stream):
    return stream + ":dead"


def wake_channel(stream):
    return stream + ":wake"


def done_marker(stream, group, message_id):
    return "%s:done:%s:%s" % (stream, group, message_id)


def effect_marker(stream, group, message_id, effect):
    return "%s:applied:%s:%s:%s" % (stream, group, message_id, effect)


# ------------------------------------------------------------------------------------------------ configuration

class ConfigError(Exception):
    pass


def setting(key, default=None):
    """A .NET-style configuration key (``Teacher:Retry:MaxAttempts``) read from its environment variable (``Teacher__Retry__MaxAttempts``)."""
    value = os.environ.get(key.replace(":", "__"))
    return default if value is None or value == "" else value


def parse_timespan(text, key):
    """A .NET TimeSpan as configuration writes it: ``[d.]hh:mm:ss[.fffffff]``, or plain seconds."""
    text = str(text).strip()
    m = re.fullmatch(r"(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?", text)
    if m:
        days, h, mi, s, frac = m.groups()
        return int(days or 0) * 86400 + int(h) * 3600 + int(mi) * 60 + int(s) + (float("0." + frac) if frac else 0.0)
    try:
        return float(text)
    except ValueError:
        raise ConfigError("%s: '%s' is not a time span (hh:mm:ss)" % (key, text))


def setting_time(key, default):
    value = setting(key)
    return default if value is None else parse_timespan(value, key)


def setting_int(key, default, low, high):
    value = setting(key)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError("%s: '%s' is not an integer" % (key, value))
    if not low <= number <= high:
        raise ConfigError("%s: %d is outside [%d, %d]" % (key, number, low, high))
    return number


def parse_connection_string(text):
    """``Key=Value;...`` (keys case-insensitive, values optionally quoted), as DbConnectionStringBuilder reads it."""
    pairs = {}
    for part in re.findall(r'(?:[^;"\']|"[^"]*"|\'[^\']*\')+', text or ""):
        if "=" not in part:
            if part.strip():
                raise ValueError("malformed")
            continue
        key, value = part.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        pairs[key.strip().lower()] = value
    return pairs


def safe_url(url, authority_only=False):
    """A URL as it may be logged: user:password (a gateway's basic auth) replaced by ``***``, a query (``?api-key=...``) by
    ``?***``; with ``authority_only``, scheme, host and port alone. Text that is not an absolute URL is hidden whole. The same
    answers as the .NET services' SafeUrl (ActiveSynth.Core.Diagnostics), checked by the parity tests."""
    try:
        parsed = urllib.parse.urlsplit(url or "")
        host = parsed.hostname or ""
        port = parsed.port
    except ValueError:
        return "***"
    if not parsed.scheme or not host:
        return "***"
    if ":" in host:
        host = "[%s]" % host
    if port is not None and port != {"http": 80, "https": 443}.get(parsed.scheme):
        host = "%s:%d" % (host, port)
    if authority_only:
        return "%s://%s" % (parsed.scheme, host)
    user = "***@" if "@" in parsed.netloc else ""
    query = "?***" if parsed.query else ""
    return "%s://%s%s%s%s" % (parsed.scheme, user, host, parsed.path or "/", query)


class TeacherConnection:
    """OpenAI-compatible endpoint from ``Endpoint=...;Key=...;Model=...`` (also ApiKey, Deployment). Never shows the key."""

    def __init__(self, text):
        try:
            pairs = parse_connection_string(text)
        except ValueError:
            raise ConfigError("The teacher connection string is not of the form 'Endpoint=...;Key=...;Model=...'.")
        endpoint = pairs.get("endpoint") or ""
        parsed = urllib.parse.urlparse(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError("The teacher connection string needs Endpoint=<absolute http(s) URL>.")
        model = pairs.get("model") or pairs.get("deployment")
        if not model:
            raise ConfigError("The teacher connection string needs Model=<model or deployment name>.")
        self.endpoint = endpoint.rstrip("/")
        self.key = pairs.get("key") or pairs.get("apikey") or None
        self.model = model
        self.authority = safe_url(endpoint, authority_only=True)  # safe to log: netloc would carry a user:password

    def __repr__(self):
        return "Endpoint=%s;Model=%s;Key=%s" % (safe_url(self.endpoint), self.model, "***" if self.key else "(none)")


def parse_redis_connection(text):
    """StackExchange.Redis configuration (``host:port,password=...,ssl=true,user=...,defaultDatabase=0``) -> redis-py arguments."""
    if not text:
        raise ConfigError("ConnectionStrings__redis is not set (host:port,password=...).")
    args = {"host": "localhost", "port": 6379}
    endpoint_seen = False
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            key, value = part.split("=", 1)
            key = key.strip().lower()
            if key == "password":
                args["password"] = value
            elif key == "user":
                args["username"] = value
            elif key == "ssl":
                args["ssl"] = value.strip().lower() == "true"
            elif key == "defaultdatabase":
                args["db"] = int(value)
            continue
        if endpoint_seen:
            continue  # several endpoints: the first one (no cluster/sentinel support here)
        endpoint_seen = True
        if part.startswith("["):
            host, _, port = part[1:].partition("]:")
        else:
            host, _, port = part.rpartition(":") if part.count(":") == 1 else (part, "", "")
        args["host"] = host or "localhost"
        if port:
            args["port"] = int(port)
    return args


class Settings:
    def __init__(self):
        consumers = "Messaging:Consumers:" + GROUP + ":"
        self.redis = parse_redis_connection(setting("ConnectionStrings:redis"))
        trusted_ca = setting("Security:TrustedCaPath")
        if trusted_ca and self.redis.get("ssl"):
            self.redis["ssl_ca_certs"] = trusted_ca  # a server certificate from the deployment's own CA, as the .NET services trust it
        self.instance = "%s-%d" % (socket.gethostname(), os.getpid())
        self.consumer = setting(consumers + "ConsumerName") or "%s-%s" % (self.instance, secrets.token_hex(4))
        self.batch_size = setting_int(consumers + "BatchSize", 4, 1, 1000)
        self.concurrency = setting_int(consumers + "Concurrency", 4, 1, 256)
        self.poll_interval = setting_time(consumers + "PollInterval", 0.25)
        self.claim_idle = setting_time(consumers + "ClaimIdleTime", 30.0)
        self.max_attempts = setting_int(consumers + "MaxAttempts", 5, 1, 1000)
        self.idempotency_ttl = setting_time(consumers + "IdempotencyTtl", 7 * 86400.0)
        self.dead_letter_max_length = setting_int(consumers + "DeadLetterMaxLength", 10000, 1, 2 ** 31 - 1)
        if self.claim_idle <= self.poll_interval:
            raise ConfigError("%sClaimIdleTime must be longer than PollInterval." % consumers)

        self.default_kind = (setting("Teacher:DefaultKind", "embedded") or "").strip()
        if self.default_kind not in ("embedded", "openai"):
            raise ConfigError("Teacher:DefaultKind must be 'embedded' or 'openai'.")
        connection_name = setting("Teacher:ConnectionName", "teacher")
        connection_text = setting("ConnectionStrings:" + connection_name)
        self.connection = TeacherConnection(connection_text) if connection_text else None
        if self.connection is None and self.default_kind == "openai":
            raise ConfigError("Teacher:DefaultKind is 'openai' but ConnectionStrings:%s is not set (Endpoint=...;Key=...;Model=...)." % connection_name)
        self.call_parallelism = setting_int("Teacher:CallParallelism", 8, 1, 256)
        # As the .NET Teacher: a request may name only the endpoint's model, the embedded teacher's name or one listed here, and
        # asks at most this many completion tokens per call, so whoever writes to the stream cannot spend the key on more.
        self.allowed_models = [m.strip() for m in (setting("Teacher:AllowedModels:%d" % i) for i in range(64)) if m and m.strip()]
        self.allowed_models += ["embedded-teacher"] + ([self.connection.model] if self.connection else [])
        self.max_completion_tokens = setting_int("Teacher:MaxCompletionTokens", 4096, 1, 131072)
        self.retry_max_attempts = setting_int("Teacher:Retry:MaxAttempts", 4, 1, 20)
        self.retry_base_delay = setting_time("Teacher:Retry:BaseDelay", 0.5)
        self.retry_max_delay = setting_time("Teacher:Retry:MaxDelay", 30.0)
        self.retry_max_retry_after = setting_time("Teacher:Retry:MaxRetryAfter", 60.0)
        self.attempt_timeout = setting_time("Teacher:Retry:AttemptTimeout", 60.0)
        self.jitter = float(setting("Teacher:Retry:JitterFraction", "0.2"))
        self.max_question_chars = setting_int("Teacher:Validation:MaxQuestionChars", 2000, 1, 1000000)
        self.max_solution_chars = setting_int("Teacher:Validation:MaxSolutionChars", 4000, 1, 1000000)
        self.max_sample_chars = setting_int("Teacher:Validation:MaxSampleChars", 0, 0, 1000000)
        self.prices = {}
        prefix = "Teacher__Prices__"
        for name, value in os.environ.items():
            if name.startswith(prefix):
                model, _, field = name[len(prefix):].rpartition("__")
                entry = self.prices.setdefault(model, {"PromptPer1K": 0.0, "CompletionPer1K": 0.0})
                if field in entry:
                    entry[field] = float(value)
        self.shutdown_grace = setting_time("PythonTeacher:ShutdownGrace", 8.0)
        self.descriptors = setting("PythonTeacher:Descriptors") or os.path.join(TOOLS, "activesynth.pb")
        self.prompts = setting("PythonTeacher:Prompts") or os.path.join(REPO, "lib", "ActiveSynth.Teachers", "Prompts")

    def price(self, model, prompt_tokens, completion_tokens):
        entry = self.prices.get(model) or self.prices.get("*")
        if not entry:
            return 0.0
        return prompt_tokens * entry["PromptPer1K"] / 1000.0 + completion_tokens * entry["CompletionPer1K"] / 1000.0


# ------------------------------------------------------------------------------------------------ contract messages

class Contract:
    """Message classes built at run time from protoc's FileDescriptorSet of protos/activesynth/v1 (no generated code)."""

    def __init__(self, path):
        if not os.path.isfile(path):
            raise ConfigError("descriptor set %s does not exist: run services/python-teacher/prepare.sh (or build "
                              "tests/ActiveSynth.PythonTeacher.Tests), or set PythonTeacher__Descriptors" % path)
        files = descriptor_pb2.FileDescriptorSet()
        with open(path, "rb") as f:
            files.ParseFromString(f.read())
        self.pool = descriptor_pool.DescriptorPool()
        for proto in files.file:
            self.pool.Add(proto)
        factory = message_factory.MessageFactory(self.pool)

        def message(name):
            descriptor = self.pool.FindMessageTypeByName(name)
            if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
                return message_factory.GetMessageClass(descriptor)
            return factory.GetPrototype(descriptor)

        self.GenerateChunk = message("activesynth.v1.GenerateChunk")
        self.GenerateChunkResult = message("activesynth.v1.GenerateChunkResult")
        self.GenerateResult = message("activesynth.v1.GenerateResult")
        self.SampleLineage = message("activesynth.v1.SampleLineage")
        self.ProbeRequest = message("activesynth.v1.ProbeRequest")
        self.ProbeReply = message("activesynth.v1.ProbeReply")
        self.TeacherUsage = message("activesynth.v1.TeacherUsage")

    def enum(self, enum_name, value_name):
        return self.pool.FindEnumTypeByName("activesynth.v1." + enum_name).values_by_name[value_name].number


# ------------------------------------------------------------------------------------------------ trace context

class Trace:
    """W3C trace context: the request's trace continues in a new span of this worker (no spans are exported)."""

    def __init__(self, traceparent, tracestate):
        parsed = None
        if traceparent:
            m = re.fullmatch(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})", traceparent.strip())
            if m and m.group(1) != "ff" and m.group(2) != "0" * 32 and m.group(3) != "0" * 16:
                parsed = m
        self.trace_id = parsed.group(2) if parsed else secrets.token_hex(16)
        self.flags = parsed.group(4) if parsed else "01"
        self.tracestate = tracestate if parsed and tracestate else None
        self.span_id = secrets.token_hex(8)

    def traceparent(self):
        return "00-%s-%s-%s" % (self.trace_id, self.span_id, self.flags)


# ------------------------------------------------------------------------------------------------ the teacher

class Drop(Exception):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class CallFailed(Exception):
    def __init__(self, kind, transient, retry_after=None):
        super().__init__(kind)
        self.kind = kind
        self.transient = transient
        self.retry_after = retry_after


class Usage:
    """CallUsage of lib/ActiveSynth.Teachers/Usage/CallUsage.cs."""

    def __init__(self, model, prompt=0, completion=0, estimated=False, calls=0, retries=0, cost=0.0, latency=0.0):
        self.model, self.prompt, self.completion, self.estimated = model, prompt, completion, estimated
        self.calls, self.retries, self.cost, self.latency = calls, retries, cost, latency

    def plus(self, other):
        return Usage(self.model or other.model, self.prompt + other.prompt, self.completion + other.completion,
                     self.estimated or other.estimated, self.calls + other.calls, self.retries + other.retries,
                     self.cost + other.cost, self.latency + other.latency)

    def write(self, target):
        target.prompt_tokens = self.prompt
        target.completion_tokens = self.completion
        target.estimated = self.estimated
        target.cost_usd = self.cost
        target.cached = False
        target.model = self.model
        target.calls = self.calls
        target.retries = self.retries
        target.latency.FromNanoseconds(int(self.latency * 1e9))


def estimate_tokens(text):
    """TokenEstimator: about four characters per token."""
    return 0 if not text else (len(text) + 3) // 4


def derive_seed(run_seed, call_key):
    """TeacherCallSettings.DeriveSeed: a pure function of the run seed and the call's key."""
    digest = hashlib.sha256(("%d|%s" % (run_seed, call_key)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little", signed=True) & 0x7FFF_FFFF_FFFF


class Prompts:
    """The versioned templates of lib/ActiveSynth.Teachers/Prompts/<version>/<name>.txt, read from the same files."""

    def __init__(self, root):
        self.root = root
        if not os.path.isdir(root):
            raise ConfigError("prompt folder %s does not exist (set PythonTeacher__Prompts)" % root)
        self.versions = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        self._cache = {}

    def resolve(self, requested):
        version = (requested or "").strip() or "v1"
        if version not in self.versions:
            raise KeyError(version)
        return version

    def template(self, version, name):
        key = (version, name)
        if key not in self._cache:
            with open(os.path.join(self.root, version, name + ".txt"), encoding="utf-8") as f:
                self._cache[key] = f.read().rstrip()
        return self._cache[key]

    def render(self, version, name, values):
        def fill(match):
            if match.group(1) not in values:
                raise ValueError("Prompt '%s/%s' needs a value for '%s'." % (version, name, match.group(1)))
            return values[match.group(1)]
        return re.sub(r"\{\{([a-z_]+)\}\}", fill, self.template(version, name))

    def messages(self, version, name, values):
        return [{"role": "system", "content": self.template(version, "system")},
                {"role": "user", "content": self.render(version, name, values)}]


# Final answers (lib/ActiveSynth.Core/Tasks/Graders): the raw final answer, then "is it of the family's kind".
_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")
_ANSWER_IS = re.compile(r"the\s+(?:final\s+)?answer\s+is\s*:?\s*([^\n]+)", re.IGNORECASE)
_ANSWER_LABEL = re.compile(r"(?:^|\n)\s*(?:final\s+)?answer\s*:\s*([^\n]+)", re.IGNORECASE)
_NUMBER = re.compile(r"(-)?\s*[$€£]?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)")


def _first_line(text):
    text = text.lstrip()
    end = text.find("\n")
    return (text[:end] if end >= 0 else text).strip()


def final_answer_text(output):
    if not output or not output.strip():
        return None
    marker = output.rfind("####")
    if marker >= 0:
        return _first_line(output[marker + 4:]) or None
    for pattern in (_BOXED, _ANSWER_IS, _ANSWER_LABEL):
        found = pattern.findall(output)
        if found:
            return _first_line(found[-1]) or None
    return None


def _numeric(raw):
    return _NUMBER.search(raw.replace("\u2212", "-")) is not None


def _boolean(raw):
    words = [w for w in re.split(r"[ \t.,!;:*\"'()]+", raw) if w]
    return bool(words) and words[0].lower() in ("true", "yes", "correct", "false", "no", "incorrect")


def _word(raw):
    words = raw.split()
    return bool(words) and any(c.isalpha() for c in words[0])


def _text(raw):
    return bool(raw.strip().rstrip(".!?,;:").strip())


# Family -> "is this raw final answer of the family's kind" (the registry's graders; unknown families use the text grader).
FAMILY_ANSWER_KIND = {
    "copy": _word, "rev": _word, "reverse": _word, "shift": _word, "swap": _word, "back": _word, "rot": _word,
    "arith": _numeric, "arithmetic": _numeric, "list": _numeric, "gsm8k": _numeric,
    "logic": _boolean, "text": _text,
}


def normalize_question(text):
    return "".join(c.lower() for c in text if c.isalnum())


def question_hash(text):
    return hashlib.sha256(normalize_question(text).encode("utf-8")).hexdigest()


def clean_question(reply):
    """SampleValidator.Clean: strips code fences, a 'Question:' label and quotes."""
    text = reply.strip()
    if text.startswith("```"):
        newline = text.find("\n")
        text = "" if newline < 0 else text[newline + 1:]
        fence = text.rfind("```")
        text = (text[:fence] if fence >= 0 else text).strip()
    for label in ("New question:", "Question:"):
        if text.lower().startswith(label.lower()):
            text = text[len(label):].strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].strip()
    return text


class OpenAiClient:
    """POST {Endpoint}/chat/completions, as the OpenAI .NET SDK sends it; retries transient failures with backoff and Retry-After."""

    def __init__(self, connection, settings):
        self.connection = connection
        self.settings = settings
        self.url = connection.endpoint + "/chat/completions"

    def complete(self, messages, model, temperature, max_tokens, seed, stop):
        body = {"messages": messages, "model": model}
        if temperature:
            body["temperature"] = temperature
        if max_tokens:
            body["max_completion_tokens"] = max_tokens
        body["seed"] = seed
        data = json.dumps(body).encode("utf-8")
        retries = 0
        s = self.settings
        while True:
            try:
                return self._attempt(data) + (retries,)
            except CallFailed as failure:
                if not failure.transient or retries + 1 >= s.retry_max_attempts or stop.is_set():
                    failure.retries = retries
                    raise
                delay = min(s.retry_max_delay, s.retry_base_delay * (2 ** retries))
                delay *= 1 + s.jitter * (2 * random.random() - 1)
                if failure.retry_after is not None:
                    if failure.retry_after > s.retry_max_retry_after:
                        failure.retries = retries
                        raise
                    delay = max(delay, failure.retry_after)
                retries += 1
                log.warning("retrying teacher call: model=%s kind=%s attempt=%d delay_ms=%d", model, failure.kind, retries + 1, delay * 1000)
                if stop.wait(delay):
                    failure.retries = retries
                    raise

    def _attempt(self, data):
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            # Local servers accept any key; the SDK sends "unused" when there is none, and so do we.
            "Authorization": "Bearer " + (self.connection.key or "unused"),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.settings.attempt_timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            status = e.code
            retry_after = None
            ms = e.headers.get("retry-after-ms") if e.headers else None
            value = e.headers.get("Retry-After") if e.headers else None
            try:
                if ms is not None:
                    retry_after = float(ms) / 1000.0
                elif value is not None:
                    retry_after = float(value)
            except ValueError:
                retry_after = None
            raise CallFailed("http %d" % status, status in (408, 409, 429) or status >= 500, retry_after)
        except socket.timeout:
            raise CallFailed("timeout", True)
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            if isinstance(getattr(e, "reason", None), socket.timeout):
                raise CallFailed("timeout", True)
            raise CallFailed("connection failed", True)
        try:
            reply = json.loads(raw.decode("utf-8"))
            text = reply["choices"][0]["message"]["content"]
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise TypeError("content")
        except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError):
            raise CallFailed("malformed response", False)
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else None
        prompt = usage.get("prompt_tokens") if usage else None
        completion = usage.get("completion_tokens") if usage else None
        return text, prompt, completion, reply.get("model")


class _FailedCall(Drop):
    """A teacher call that failed after its retries: a TEACHER_ERROR drop that carries what the call cost (nothing charged, one call)."""

    def __init__(self, usage, kind):
        super().__init__("TEACHER_ERROR", kind)
        self.usage = usage


class Teacher:
    """TeacherWork + SampleGenerator + SampleValidator of lib/ActiveSynth.Teachers, for the OpenAI-compatible teacher."""

    def __init__(self, settings, contract, prompts, db, stop):
        self.s = settings
        self.c = contract
        self.prompts = prompts
        self.db = db
        self.stop = stop
        self.client = OpenAiClient(settings.connection, settings) if settings.connection else None
        self.calls = concurrent.futures.ThreadPoolExecutor(settings.call_parallelism, thread_name_prefix="call")
        self.drop = {name: contract.enum("DropReason", "DROP_REASON_" + name) for name in (
            "UNPARSABLE", "EMPTY", "NO_FINAL_ANSWER", "DUPLICATE_OF_SEED", "DUPLICATE_OF_SAMPLE", "TOO_LONG", "TEACHER_ERROR")}
        self.kind_embedded = contract.enum("TeacherKind", "TEACHER_KIND_EMBEDDED")
        self.kind_openai = contract.enum("TeacherKind", "TEACHER_KIND_OPENAI")
        self.call_question = contract.enum("TeacherCallKind", "TEACHER_CALL_KIND_QUESTION")
        self.call_solution = contract.enum("TeacherCallKind", "TEACHER_CALL_KIND_SOLUTION")

    def handle_chunk(self, chunk, request_id):
        futures = [self.calls.submit(self.generate, r, "%s#%d" % (request_id, r.slot)) for r in chunk.requests]
        result = self.c.GenerateChunkResult(run_id=chunk.run_id, round=chunk.round, request_id=request_id, instance=self.s.instance)
        for future in futures:
            result.results.add().CopyFrom(future.result())  # an exception here fails the entry (retried, then dead-lettered)
        kept = sum(1 for r in result.results if r.WhichOneof("outcome") == "sample")
        tokens = sum(r.usage.prompt_tokens + r.usage.completion_tokens for r in result.results)
        log.info("generated %s: kept %d of %d, %d tokens, 0 cached", request_id, kept, len(result.results), tokens)
        return result

    def _resolve(self, spec):
        kind = spec.kind if spec is not None else 0
        openai = kind == self.kind_openai or (kind == 0 and self.s.default_kind == "openai")
        requested = spec.model if spec is not None else ""
        if openai:
            return "openai", requested or (self.s.connection.model if self.s.connection else "")
        return "embedded", requested or "embedded-teacher"

    def generate(self, request, request_id):
        sample_id = request.sample_id or request_id.replace("/", "-")
        result = self.c.GenerateResult(run_id=request.run_id, round=request.round, request_id=request_id,
                                       seed_id=request.seed.id if request.HasField("seed") else "", slot=request.slot,
                                       attempt=request.attempt, reservation_id=request.reserved.reservation_id, instance=self.s.instance)
        spec = request.teacher if request.HasField("teacher") else None
        kind, model = self._resolve(spec)
        usage = Usage(model)
        call_ids = []
        try:
            try:
                version = self.prompts.resolve(spec.prompt_version if spec is not None else "")
            except KeyError:
                raise Drop("TEACHER_ERROR", "unknown prompt version")
            if kind == "embedded":
                raise Drop("TEACHER_ERROR", "the embedded teacher is not available in the Python teacher worker (it serves "
                                            "TEACHER_KIND_OPENAI only); run the .NET Teacher for embedded runs")
            if self.client is None:
                raise Drop("TEACHER_ERROR", "no OpenAI-compatible endpoint is configured")
            if spec is not None and spec.model and spec.model not in self.s.allowed_models:
                shown = spec.model if len(spec.model) <= 64 else spec.model[:64] + "..."
                allowed = ", ".join(dict.fromkeys(self.s.allowed_models))
                raise Drop("TEACHER_ERROR", "teacher.model: '%s' is not a model this teacher may use; allowed: %s "
                                            "(the endpoint's Model, Teacher:Embedded:ModelId, and Teacher:AllowedModels)" % (shown, allowed))
            if not request.HasField("seed"):
                raise Drop("TEACHER_ERROR", "the request has no seed")
            seed = request.seed
            settings = (model, spec.temperature if spec is not None else 0.0,
                        min(spec.max_completion_tokens, self.s.max_completion_tokens) if spec is not None and spec.max_completion_tokens > 0 else None,
                        spec.random_seed if spec is not None else 0)

            if request.call_kind == self.call_solution:
                question = request.question
                if not question.strip():
                    raise Drop("EMPTY", "no question to solve")
            else:
                call_id = sample_id + ":q"
                call_ids.append(call_id)
                text, call_usage = self._call(self.prompts.messages(version, "question", {
                    "family": seed.family, "difficulty": str(seed.difficulty), "question": seed.question}), settings, call_id)
                usage = usage.plus(call_usage)
                question = self._check_question(text, seed)

            answer = ""
            if request.call_kind != self.call_question:
                call_id = sample_id + ":s"
                call_ids.append(call_id)
                text, call_usage = self._call(self.prompts.messages(version, "solution", {
                    "family": seed.family, "question": question, "example_question": seed.question,
                    "example_answer": seed.answer}), settings, call_id)
                usage = usage.plus(call_usage)
                answer = self._check_solution(text, question, seed.family)

            if not request.skip_duplicate_check and request.run_id and not self._claim(request.run_id, question, sample_id):
                raise Drop("DUPLICATE_OF_SAMPLE", "the question repeats an earlier sample of the run")
        except Drop as drop:
            if isinstance(drop, _FailedCall):
                usage = usage.plus(drop.usage)
            d = result.drop
            d.reason = self.drop[drop.reason]
            d.detail = drop.detail
            d.seed_id = request.seed.id if request.HasField("seed") else ""
            d.round = request.round
            d.run_id = request.run_id
            d.slot = request.slot
            d.attempt = request.attempt
            d.sample_id = sample_id
            d.teacher_call_ids.extend(call_ids)
            usage.write(d.usage)
            usage.write(result.usage)
            return result

        sample = result.sample
        sample.id = sample_id
        sample.question = question
        sample.answer = answer
        sample.family = seed.family
        sample.difficulty = seed.difficulty  # the .NET teacher asks the family's solver; we keep the seed's
        lineage = sample.lineage
        if request.HasField("lineage"):
            lineage.CopyFrom(request.lineage)
        lineage.run_id = request.run_id
        lineage.round = request.round
        lineage.seed_id = seed.id
        lineage.slot = request.slot
        lineage.attempt = request.attempt
        lineage.prompt_version = version
        usage.write(lineage.usage)
        lineage.teacher_call_ids.extend(call_ids)
        lineage.created_at.FromDatetime(datetime.now(timezone.utc).replace(tzinfo=None))
        usage.write(result.usage)
        return result

    def _call(self, messages, settings, call_id):
        model, temperature, max_tokens, run_seed = settings
        started = time.monotonic()
        try:
            text, prompt, completion, answered_by, retries = self.client.complete(
                messages, model, temperature, max_tokens, derive_seed(run_seed, call_id), self.stop)
        except CallFailed as failure:
            # A failed call charged nothing (no response, no usage); it counts as a call. Its text never travels.
            raise _FailedCall(Usage(model, calls=1, retries=getattr(failure, "retries", 0), latency=time.monotonic() - started),
                              failure.kind)
        answered_by = answered_by or model
        estimated = prompt is None or completion is None
        if prompt is None:
            prompt = sum(estimate_tokens(m["content"]) + 4 for m in messages)
        if completion is None:
            completion = estimate_tokens(text)
        usage = Usage(answered_by, int(prompt), int(completion), estimated, 1, retries,
                      self.s.price(answered_by, int(prompt), int(completion)), time.monotonic() - started)
        return text, usage

    def _check_question(self, reply, seed):
        question = clean_question(reply or "")
        if not question:
            raise Drop("EMPTY", "the question reply is empty")
        if "####" in question:
            raise Drop("UNPARSABLE", "the question reply contains an answer (####)")
        if len(question) > self.s.max_question_chars:
            raise Drop("TOO_LONG", "question of %d chars > %d" % (len(question), self.s.max_question_chars))
        if normalize_question(question) == normalize_question(seed.question):
            raise Drop("DUPLICATE_OF_SEED", "the question repeats the seed")
        return question

    def _check_solution(self, reply, question, family):
        solution = (reply or "").strip()
        if not solution:
            raise Drop("EMPTY", "the solution reply is empty")
        raw = final_answer_text(solution)
        if "####" not in solution or raw is None:
            raise Drop("NO_FINAL_ANSWER", "no '#### <answer>' line")
        if len(solution) > self.s.max_solution_chars:
            raise Drop("TOO_LONG", "solution of %d chars > %d" % (len(solution), self.s.max_solution_chars))
        if self.s.max_sample_chars > 0 and len(question) + 1 + len(solution) > self.s.max_sample_chars:
            raise Drop("TOO_LONG", "sample of %d chars > %d" % (len(question) + 1 + len(solution), self.s.max_sample_chars))
        if not FAMILY_ANSWER_KIND.get(family, _text)(raw):
            raise Drop("UNPARSABLE", "the final answer is not of the family's kind")
        return solution

    def _claim(self, run_id, question, sample_id):
        """RedisSeenQuestions: the run's question hashes in one hash per run, claimed with HSETNX (same key as the .NET teacher)."""
        key = "activesynth:teacher:seen:" + run_id
        digest = question_hash(question)
        if self.db.hsetnx(key, digest, sample_id):
            self.db.expire(key, 30 * 86400)
            return True
        owner = self.db.hget(key, digest)
        return owner is not None and owner.decode("utf-8") == sample_id


# ------------------------------------------------------------------------------------------------ the consumer

class Delivery:
    def __init__(self, stream, entry_id, fields, attempt):
        self.stream = stream
        self.entry_id = entry_id
        self.fields = fields
        self.attempt = attempt


class HandBack(Exception):
    """Raised in a handler that must not publish any more: the worker is stopping and handed its entry back."""


# Renews the idle time of the entries this consumer still owns (PendingLeaseKeeper's script), so a slow chunk is not
# taken over by another consumer while it is still being worked on.
RENEW_SCRIPT = """
local renewed = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p == 1 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    renewed = renewed + 1
  end
end
return renewed
"""


class Worker:
    def __init__(self, settings):
        self.s = settings
        self.stop = threading.Event()
        self.contract = Contract(settings.descriptors)
        self.prompts = Prompts(settings.prompts)
        self.db = redis.Redis(socket_timeout=10, socket_connect_timeout=5, health_check_interval=15, **settings.redis)
        # redis-py 4.3 parses XAUTOCLAIM's reply into the entries only, dropping the cursor: this client reads it raw.
        self.db.response_callbacks.pop("XAUTOCLAIM", None)
        self.teacher = Teacher(settings, self.contract, self.prompts, self.db, self.stop)
        self.lock = threading.Lock()
        self.in_flight = {}  # (stream, entry id) -> future
        self.handed_back = set()
        self.unstarted = set()  # entries delivered but not started because the stop came first: handed back by shutdown()
        self.renew = self.db.register_script(RENEW_SCRIPT)

    # -- streams and their handlers

    def streams(self):
        """(stream, payload type, message class, handler, entries handled at once); probes have their own thread so that long
        chunks never delay them."""
        return [(GENERATE_REQUESTS, "activesynth.v1.GenerateChunk", self.contract.GenerateChunk, self.handle_generate, self.s.concurrency),
                (PROBE_REQUESTS, "activesynth.v1.ProbeRequest", self.contract.ProbeRequest, self.handle_probe, 1)]

    def handle_generate(self, delivery, message, message_id, run, trace):
        """RequestStreamHandler with ReplyPolicy.Once: a request whose reply was published is not handled again."""
        marker = effect_marker(delivery.stream, GROUP, message_id, REPLIED_EFFECT)
        if self.db.exists(marker):
            log.info("already replied to %s on %s: not handled again", message_id, delivery.stream)
            return
        reply = self.teacher.handle_chunk(message, message_id)
        self.publish(GENERATE_RESULTS, "activesynth.v1.GenerateChunkResult", reply, run, message_id, trace)
        # Marked after publishing: a crash in between publishes the same reply again under the same id (applied once by the requester).
        self.db.set(marker, 1, ex=int(self.s.idempotency_ttl), nx=True)

    def handle_probe(self, delivery, message, message_id, run, trace):
        """ProbeResponder: answer as kind 'teacher' unless the probe targets other kinds only."""
        if len(message.targets) > 0 and KIND not in message.targets:
            return
        reply = self.contract.ProbeReply(probe_id=message.probe_id, service=KIND, instance=self.s.instance, trace_id=trace.trace_id)
        reply.received_at.FromDatetime(datetime.now(timezone.utc).replace(tzinfo=None))
        self.publish(PROBE_RESULTS, "activesynth.v1.ProbeReply", reply, run, "%s/%s/%s" % (message.probe_id, KIND, self.s.instance), trace)

    def publish(self, stream, type_name, message, run, message_id, trace):
        """RedisStreamPublisher: XADD with the envelope fields and the continued trace context, then a wake signal."""
        fields = {F_TYPE: type_name, F_PAYLOAD: message.SerializeToString(), F_RUN: run, F_ID: message_id, F_ATTEMPT: 1,
                  F_TRACEPARENT: trace.traceparent()}
        if trace.tracestate:
            fields[F_TRACESTATE] = trace.tracestate
        # Checked and written under the lock that shutdown() holds while it marks entries handed back: after that, nothing of
        # theirs is published.
        with self.lock:
            if getattr(_current, "key", None) in self.handed_back:
                raise HandBack()
            entry_id = self.db.xadd(stream, fields)
        self.db.publish(wake_channel(stream), entry_id)

    # -- one entry

    def process(self, delivery, type_name, cls, handler):
        """BatchProcessor for one entry: poison and exhausted entries are dead-lettered, handled ids are acked, the rest handled."""
        f = delivery.fields
        if not f:
            self.db.xack(delivery.stream, GROUP, delivery.entry_id)  # trimmed or deleted while pending
            return
        poison = None
        message = None
        if F_TYPE not in f:
            poison = "poison: no 'type' field"
        elif f[F_TYPE].decode("utf-8", "replace") != type_name:
            poison = "poison: type '%s' is not '%s'" % (f[F_TYPE].decode("utf-8", "replace"), type_name)
        elif not f.get(F_ID):
            poison = "poison: no 'id' field"
        elif F_PAYLOAD not in f:
            poison = "poison: no 'payload' field"
        else:
            try:
                message = cls.FromString(f[F_PAYLOAD])
            except Exception as e:  # DecodeError, or anything the pure-Python parser raises on garbage
                poison = "poison: payload does not parse as %s: %s" % (type_name, e)
        if poison is not None:
            self.dead_letter(delivery, poison)
            return
        if delivery.attempt > self.s.max_attempts:
            self.dead_letter(delivery, "gave up after %d deliveries that did not complete (max attempts %d)"
                             % (delivery.attempt - 1, self.s.max_attempts))
            return
        message_id = f[F_ID].decode("utf-8")
        done = done_marker(delivery.stream, GROUP, message_id)
        if self.db.exists(done):
            self.db.xack(delivery.stream, GROUP, delivery.entry_id)
            log.info("duplicate %s (id %s) on %s skipped: already handled", delivery.entry_id.decode(), message_id, delivery.stream)
            return
        trace = Trace(f.get(F_TRACEPARENT, b"").decode("ascii", "replace"), f.get(F_TRACESTATE, b"").decode("ascii", "replace"))
        run = f.get(F_RUN, b"").decode("utf-8")
        try:
            handler(delivery, message, message_id, run, trace)
        except HandBack:
            return
        except redis.exceptions.RedisError:
            raise  # the loop retries Redis; the entry stays pending
        except Exception as e:
            description = "%s.%s: %s" % (type(e).__module__, type(e).__qualname__, e)
            if delivery.attempt >= self.s.max_attempts:
                self.dead_letter(delivery, description)
            else:
                log.warning("handler failed on %s entry %s (id %s), attempt %d of %d: %s", delivery.stream, delivery.entry_id.decode(),
                            message_id, delivery.attempt, self.s.max_attempts, description)
            return
        # Ack and done marker commit together: a redelivery after a lost ack finds the marker and skips.
        with self.db.pipeline(transaction=True) as tx:
            tx.xack(delivery.stream, GROUP, delivery.entry_id)
            tx.set(done, 1, ex=int(self.s.idempotency_ttl))
            tx.execute()

    def dead_letter(self, delivery, reason):
        """DeadLetterWriter: the original fields plus error, source_stream, source_entry, group, consumer and deliveries, with the
        XACK in the same MULTI/EXEC."""
        fields = {k: v for k, v in delivery.fields.items() if k not in DEAD_FIELDS}
        fields[b"error"] = reason[:MAX_ERROR_LENGTH]
        fields[b"source_stream"] = delivery.stream
        fields[b"source_entry"] = delivery.entry_id
        fields[b"group"] = GROUP
        fields[b"consumer"] = self.s.consumer
        fields[b"deliveries"] = delivery.attempt
        with self.db.pipeline(transaction=True) as tx:
            tx.xadd(dead_letter_stream(delivery.stream), fields, maxlen=self.s.dead_letter_max_length, approximate=True)
            tx.xack(delivery.stream, GROUP, delivery.entry_id)
            tx.execute()
        log.warning("dead-lettered %s entry %s to %s: %s", delivery.stream, delivery.entry_id.decode(), dead_letter_stream(delivery.stream), reason)

    # -- reading

    def ensure_group(self, stream):
        try:
            self.db.xgroup_create(stream, GROUP, id="0", mkstream=True)
            log.info("created consumer group %s on %s", GROUP, stream)
        except redis.exceptions.ResponseError as e:
            if not str(e).startswith("BUSYGROUP"):
                raise

    def delivery_counts(self, stream, entries):
        """DeliveryCounts: Redis' own delivery counter (XPENDING) for re-read and claimed entries; not ours any more = skip."""
        pipe = self.db.pipeline(transaction=False)
        for entry_id, _ in entries:
            pipe.xpending_range(stream, GROUP, min=entry_id, max=entry_id, count=1, consumername=self.s.consumer)
        deliveries = []
        for (entry_id, fields), info in zip(entries, pipe.execute()):
            if len(info) == 1:
                deliveries.append(Delivery(stream, entry_id, fields or {}, int(info[0]["times_delivered"])))
        return deliveries

    def consume(self, stream, type_name, cls, handler, concurrency):
        """StreamConsumer: drain own pending entries, then XAUTOCLAIM idle ones now and then, then read new ones. Reads only as
        many entries as there are free handler slots, so every entry read is either being handled or queued in hand."""
        executor = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="entry-" + stream.split(":")[1])
        draining, own_from, claim_from, next_claim = True, "0-0", "0-0", 0.0
        claim_interval = max(self.s.poll_interval, self.s.claim_idle / 4)
        group_ready = False
        backoff = 0.1
        while not self.stop.is_set():
            try:
                if not group_ready:
                    self.ensure_group(stream)
                    group_ready = True
                with self.lock:
                    held = sum(1 for key in self.in_flight if key[0] == stream)
                count = min(self.s.batch_size, concurrency - held)
                if count <= 0:
                    self.stop.wait(0.02)
                    continue
                batch = []
                if draining:
                    own = self.db.xreadgroup(GROUP, self.s.consumer, {stream: own_from}, count=count)
                    entries = own[0][1] if own else []
                    if entries:
                        own_from = entries[-1][0]
                        batch = self.delivery_counts(stream, entries)
                    else:
                        draining = False
                if not batch and not draining and time.monotonic() >= next_claim:
                    next_id, claimed, _ = self._autoclaim(stream, claim_from, count)
                    claim_from = next_id if next_id not in (b"0-0", "0-0") else "0-0"
                    if claim_from == "0-0":
                        next_claim = time.monotonic() + claim_interval
                    claimed = [(i, fl) for i, fl in claimed if i is not None]
                    if claimed:
                        log.info("claimed %d idle entries of %s", len(claimed), stream)
                        batch = self.delivery_counts(stream, claimed)
                if not batch and not draining:
                    block = max(1, int(min(self.s.poll_interval, 1.0) * 1000))
                    fresh = self.db.xreadgroup(GROUP, self.s.consumer, {stream: ">"}, count=count, block=block)
                    batch = [Delivery(stream, i, fl or {}, 1) for i, fl in (fresh[0][1] if fresh else [])]
                backoff = 0.1
                for delivery in batch:
                    self.submit(executor, delivery, type_name, cls, handler)
            except redis.exceptions.ResponseError as e:
                if str(e).startswith("NOGROUP"):
                    log.warning("consumer group %s on %s is missing: recreating it", GROUP, stream)
                    group_ready = False
                else:
                    log.warning("redis error on %s: %s", stream, e)
                draining, own_from = True, "0-0"
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
                log.warning("redis unavailable on %s (%s): retrying in %d ms", stream, type(e).__name__, backoff * 1000)
                draining, own_from = True, "0-0"
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _autoclaim(self, stream, start, count):
        reply = self.db.execute_command("XAUTOCLAIM", stream, GROUP, self.s.consumer, int(self.s.claim_idle * 1000), start, "COUNT", count)
        next_id, entries = reply[0], reply[1]
        parsed = []
        for item in entries:
            if item is None:
                continue
            entry_id, flat = item[0], item[1]
            fields = {} if flat is None else dict(zip(flat[0::2], flat[1::2]))
            parsed.append((entry_id, fields))
        deleted = reply[2] if len(reply) > 2 else []
        return next_id, parsed, deleted

    def submit(self, executor, delivery, type_name, cls, handler):
        key = (delivery.stream, delivery.entry_id)
        with self.lock:
            if key in self.in_flight:
                return

        def run():
            _current.key = key
            try:
                if self.stop.is_set():
                    with self.lock:
                        self.unstarted.add(key)  # kept for shutdown() to hand back after in_flight forgets it
                    return
                self.process(delivery, type_name, cls, handler)
            except redis.exceptions.RedisError as e:
                log.warning("redis error while handling %s entry %s: %s (left pending)", delivery.stream, delivery.entry_id.decode(), e)
            except Exception:
                log.exception("unexpected error while handling %s entry %s (left pending)", delivery.stream, delivery.entry_id.decode())
            finally:
                with self.lock:
                    self.in_flight.pop(key, None)

        with self.lock:
            self.in_flight[key] = executor.submit(run)

    def renew_leases(self):
        interval = self.s.claim_idle / 3
        while not self.stop.wait(interval):
            self._renew_once()

    def _renew_once(self):
        with self.lock:
            keys = list(self.in_flight.keys())
        by_stream = {}
        for stream, entry_id in keys:
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            try:
                self.renew(keys=[stream], args=[GROUP, self.s.consumer] + ids)
            except redis.exceptions.RedisError as e:
                log.warning("could not renew in-flight entries of %s: %s", stream, e)

    # -- life cycle

    def run(self):
        redacted = "Endpoint=%s;Model=%s" % (self.s.connection.authority, self.s.connection.model) if self.s.connection else "(none)"
        log.info("python teacher %s starting: consumer %s, default kind %s, teacher endpoint %s, concurrency %d, call parallelism %d",
                 self.s.instance, self.s.consumer, self.s.default_kind, redacted, self.s.concurrency, self.s.call_parallelism)
        threads = [threading.Thread(target=self.consume, args=spec, name="consume-" + spec[0], daemon=True) for spec in self.streams()]
        threads.append(threading.Thread(target=self.renew_leases, name="renew", daemon=True))
        for t in threads:
            t.start()
        log.info("consuming %s and %s in group %s", GENERATE_REQUESTS, PROBE_REQUESTS, GROUP)
        while not self.stop.wait(0.5):
            pass
        return self.shutdown(threads)

    def shutdown(self, threads):
        """SIGTERM: stop reading (within about a second), let the entries being handled finish for up to the grace time (their
        replies are published and acked), and hand back what is left: entries not started, and any still unfinished at the end."""
        started = time.monotonic()
        log.info("stopping: no new entries; %d in hand, waiting up to %.1f s for them", len(self.in_flight), self.s.shutdown_grace)
        # Until they have exited: a read blocks for at most min(PollInterval, 1 s), but what it returned is submitted
        # after that, and an entry submitted after the hand-back below would stay held by this consumer.
        joined_by = started + 3.0
        for t in threads:
            t.join(timeout=max(0.0, joined_by - time.monotonic()))
        deadline = started + self.s.shutdown_grace
        while time.monotonic() < deadline:
            with self.lock:
                pending = [k for k, f in self.in_flight.items() if f.running()]
            if not pending:
                break
            time.sleep(0.05)
        with self.lock:
            left = list(set(self.in_flight.keys()) | self.unstarted)
            self.handed_back.update(left)
        self.hand_back(left)
        log.info("stopped in %.1f s: %d entries handed back", time.monotonic() - started, len(left))
        return 0

    def hand_back(self, keys):
        """Entries still held go back to the group at once: XCLAIM to ourselves with a large IDLE (JUSTID: no extra delivery is
        counted), so the next XAUTOCLAIM of any other consumer takes them without waiting for the claim idle time."""
        idle = 10 * 365 * 86400 * 1000
        for stream, entry_id in keys:
            try:
                self.db.xclaim(stream, GROUP, self.s.consumer, 0, [entry_id], idle=idle, justid=True)
                log.info("handed back %s entry %s", stream, entry_id.decode())
            except Exception as e:  # never keep the process from exiting
                log.warning("could not hand back %s entry %s (%s): it is claimed after the claim idle time", stream, entry_id.decode(), e)


_current = threading.local()


def main():
    # Information to stdout, warnings and errors to stderr: the AppHost shows a process's stderr lines as errors.
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    for handler in (out, err):
        handler.setFormatter(formatter)
    logging.basicConfig(level=os.environ.get("PYTHON_TEACHER_LOG_LEVEL", "INFO"), handlers=[out, err])
    try:
        settings = Settings()
        worker = Worker(settings)
    except (ConfigError, ValueError) as e:
        log.error("configuration error: %s", e)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    signal.signal(signal.SIGINT, lambda *_: worker.stop.set())
    try:
        code = worker.run()
    except Exception:
        log.exception("the worker failed")
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # handler threads still blocked in a call must not keep the process alive (their entries were handed back)


if __name__ == "__main__":
    sys.exit(main())
