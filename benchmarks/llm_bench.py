"""The local LLM on the sample inbox: cold load, seconds and tokens per document, calls, cached re-run, memory.

    python -m benchmarks llm                        # every document of samples/inbox
    INTAKE_BENCH_LIMIT=6 python -m benchmarks llm   # the first 6 only (a quicker look)
    INTAKE_BENCH_HOME=DIR python -m benchmarks llm  # DIR (new or empty) as the data home, kept afterwards:
                                                    # `INTAKE_HOME=DIR intake calibrate samples/inbox` then
                                                    # answers from its LLM cache instead of asking again

Everything runs in one process against a fresh data home (so the store-backed LLM cache starts empty) and a
local model server started here on a free port (so it is cold and not shared with another process; the GGUF
file may still be in the OS page cache from an earlier run, which makes the load faster than a first boot).
1. Cold load: starting the server until it answers /v1/models with our model, then until a 1-token answer.
2. Every document as `intake eval` sees it (envelope, text, OCR, rules, LLM, decision; nothing recorded):
   seconds per document, the LLM's own latency and tokens (`Extraction.llm`), and the model calls counted
   at the client (a re-ask of invalid output is a second call).
3. The same documents again through a new runtime on the same home: answers come from the cache.
4. Peak resident memory (VmHWM from /proc) of the server and of this process with its live OCR workers.
Targets (issue 3): ≤ 1 model call per document, 0 on the re-run, peak RSS ≤ 3 GB, median ≤ 15 s per mail.
INTAKE_LLM_* and OPENAI_* endpoints are ignored: this measures the embedded model. The machine may be shared:
compare numbers within one run and read the load average printed beside them.
"""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openai

from extractors.llm import LLMClient, LLMHints, LLMResult
from extractors.local_model import install_model
from extractors.local_server import LocalServer, ensure_local_server
from flows.evaluation import Label, Prediction, compute_metrics, load_labels, predict
from flows.runtime import open_runtime
from prompts import Prompt
from schemas.extraction import LLMUsage
from schemas.settings import PROJECT_ROOT, Settings

DATASET = PROJECT_ROOT / "samples" / "inbox"
CALLS_TARGET = 1
RSS_TARGET_BYTES = 3 * 1024**3
MEDIAN_MAIL_TARGET_SECONDS = 15.0


class CountingClient:
    """The runtime's LLM client, counting the model calls it makes (a re-ask counts as a second one)."""

    def __init__(self, inner: LLMClient) -> None:
        self.inner, self.calls = inner, 0

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def prompt(self) -> Prompt:
        return self.inner.prompt

    def extract(self, text: str, hints: LLMHints) -> LLMResult:
        self.calls += 1
        result = self.inner.extract(text, hints)
        self.calls += result.attempts - 1
        return result


@dataclass
class DocRun:
    file: str
    seconds: float
    calls: int
    usage: LLMUsage | None
    prediction: Prediction


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_rss(pid: int) -> int:
    """VmHWM of a live process in bytes (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the command name (2nd field) may hold spaces; the parent pid is the 2nd field after it
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cold_start(settings: Settings) -> LocalServer:
    started = time.perf_counter()
    install_model(settings)
    print(f"model file checked in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    server = ensure_local_server(settings)
    ready = time.perf_counter() - started
    client = openai.OpenAI(base_url=server.base_url, api_key="not-needed", timeout=120)
    client.chat.completions.create(
        model=server.model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=1, temperature=0
    )
    first_token = time.perf_counter() - started
    print(f"cold load: server answering after {ready:.1f} s, first token after {first_token:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    return server


def _llm_note(usage: LLMUsage | None) -> str:
    if usage is None:
        return "no LLM answer"
    if usage.cached:
        return "answer from the cache"
    return f"{usage.prompt_tokens:5d} + {usage.completion_tokens:4d} tokens, LLM {usage.latency_ms / 1000:5.1f} s"


def run_documents(settings: Settings, labels: list[Label], title: str) -> list[DocRun]:
    print(f"-- {title} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    runs = []
    with open_runtime(settings) as rt:
        assert rt.llm is not None  # the bench turns the LLM on
        counter = CountingClient(rt.llm)
        rt.llm = counter
        for label in labels:
            before = counter.calls
            outcome, prediction = predict(rt, DATASET, label, date.today())
            usage = outcome.extraction.llm if outcome.extraction else None
            run = DocRun(label.file, prediction.seconds, counter.calls - before, usage, prediction)
            runs.append(run)
            print(f"{run.file:44} {run.seconds:7.2f} s  {run.calls} call(s)  {_llm_note(usage)}")
    return runs


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _spread(values: list[float], unit: str, digits: int = 1) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    return f"median {median:.{digits}f}{unit}, p90 {p90:.{digits}f}{unit}, max {ordered[-1]:.{digits}f}{unit}"


def report(labels: list[Label], cold: list[DocRun], cached: list[DocRun]) -> None:
    asked = [r.usage for r in cold if r.usage and not r.usage.cached]
    print(f"-- {len(cold)} documents, {len(asked)} answered by the model")
    print(f"seconds per document (all): {_spread([r.seconds for r in cold], ' s')}")
    # n_parallel=1 keeps the system prompt and examples in the server's KV cache after the first document
    print(f"first document {cold[0].seconds:.1f} s: the server reads the shared prompt prefix, the others reuse it")
    mails = [r.seconds for r in cold if r.file.endswith(".eml")] or [r.seconds for r in cold]
    median_mail = statistics.median(mails)
    print(f"seconds per mail ({len(mails)}): {_spread(mails, ' s')}  target median ≤ {MEDIAN_MAIL_TARGET_SECONDS:.0f} s"
          f"  {_verdict(median_mail <= MEDIAN_MAIL_TARGET_SECONDS)}")  # fmt: skip
    if asked:
        print(f"LLM latency per answered document: {_spread([u.latency_ms / 1000 for u in asked], ' s')}")
        prompt, completion = [u.prompt_tokens for u in asked], [u.completion_tokens for u in asked]
        print(f"prompt tokens per document: median {statistics.median(prompt):.0f}, max {max(prompt)}; "
              f"completion tokens: median {statistics.median(completion):.0f}, max {max(completion)}")  # fmt: skip
    most = max((r.calls for r in cold), default=0)
    calls_ok = most <= CALLS_TARGET
    print(f"model calls: {sum(r.calls for r in cold)} for {len(cold)} documents, at most {most} per document  "
          f"target ≤ {CALLS_TARGET}  {_verdict(calls_ok)}")  # fmt: skip
    again = sum(r.calls for r in cached)
    print(f"cached re-run: {again} model calls  target 0  {_verdict(again == 0)}; "
          f"{sum(r.seconds for r in cached):.2f} s in all against {sum(r.seconds for r in cold):.1f} s cold, "
          f"{_spread([r.seconds for r in cached], ' s', digits=3)}")  # fmt: skip
    for name, runs in (("cold", cold), ("cached", cached)):
        m = compute_metrics(labels, [r.prediction for r in runs])
        items = m["items"]
        assert isinstance(items, dict)
        print(f"accuracy ({name}): items F1 {items['f1']}, auto rate {m['auto_rate']}, "
              f"undetected errors {m['undetected_error_rate']}")  # fmt: skip


def report_memory(server: LocalServer) -> None:
    assert server.process is not None  # started by this benchmark
    served = server.peak_rss_bytes() or 0
    workers = [pid for pid in _children(os.getpid()) if pid != server.process.pid]
    ours = _peak_rss(os.getpid()) + sum(_peak_rss(pid) for pid in workers)
    total = served + ours
    print(f"peak RSS: model server {served / 1024**3:.2f} GB, this process with {len(workers)} worker(s) "
          f"{ours / 1024**3:.2f} GB, together {total / 1024**3:.2f} GB  target ≤ 3 GB  "
          f"{_verdict(total <= RSS_TARGET_BYTES)}")  # fmt: skip


def _empty_home(kept: str | None, stack: ExitStack) -> Path:
    """A temporary data home, or `kept` when it is given; either way with an empty LLM cache."""
    if kept is None:
        return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="intake-llm-bench-")))
    home = Path(kept)
    if home.exists() and any(home.iterdir()):
        raise SystemExit(f"INTAKE_BENCH_HOME {home} is not empty: its LLM cache would make the first run warm")
    return home


def main() -> None:
    for inherited in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        os.environ.pop(inherited, None)
    labels = load_labels(DATASET)
    limit = os.environ.get("INTAKE_BENCH_LIMIT")
    labels = labels[: int(limit)] if limit else labels
    with ExitStack() as stack:
        home = _empty_home(os.environ.get("INTAKE_BENCH_HOME"), stack)
        print(f"data home {home}")
        settings = Settings(
            home=home, llm="on", llm_base_url=None, llm_api_key=None, llm_model=None, llm_port=_free_port()
        )
        with cold_start(settings) as server:
            cold = run_documents(settings, labels, "first run, empty cache")
            cached = run_documents(settings, labels, "re-run, same home (cache filled)")
            report(labels, cold, cached)
            report_memory(server)


if __name__ == "__main__":
    main()
