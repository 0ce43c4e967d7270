"""ovms-ts text-generation worker: one OpenVINO GenAI ContinuousBatchingPipeline per process.

The server (packages/engine-genai) starts this script and owns it. Messages both ways are
length-prefixed JSON: a 4-byte big-endian byte count, then that many bytes of UTF-8 JSON; the
server writes to stdin, the worker answers on stdout (stderr is the worker's log). The protocol
is documented in docs/genai.md.

GenAI refuses concurrent generate() calls on one pipeline, so every request goes through
add_request() and one thread runs the step loop, streaming each request's new text as it comes.
"""

import json
import os
import queue
import signal
import struct
import sys
import threading
import time

# While generating, the scheduler's state is reported this often (unasked) for the gauges.
METRICS_INTERVAL_S = 0.5
MAX_MESSAGE_BYTES = int(os.environ.get("OVMS_GENAI_MAX_MESSAGE_BYTES", str(16 * 1024 * 1024)))

_out_lock = threading.Lock()
_stdout = sys.stdout.buffer


def send(message):
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with _out_lock:
        _stdout.write(struct.pack(">I", len(data)) + data)
        _stdout.flush()


def read_exact(stream, count):
    chunks = []
    while count > 0:
        chunk = stream.read(count)
        if not chunk:
            return None
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_messages(inbox):
    """Reader thread: stdin frames onto the inbox; EOF (the server went away) ends the worker."""
    try:
        read_frames(inbox)
    except Exception as error:  # a reset pipe as much as EOF: the server is gone
        print(f"genai_worker: reading stdin failed: {error}", file=sys.stderr)
    finally:
        inbox.put({"op": "shutdown"})


def watch_parent(parent):
    """Leaves when the server died without closing the pipe (killed with its children kept)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            leave(0)


def leave(code):
    """os._exit, ending the worker's helpers first: a library the worker loads forks a child
    that lives as long as the worker and, once the server is gone, nobody else would end. The
    server starts the worker as the leader of its own process group, so that group is exactly
    the worker and what it started; a worker run by hand in someone else's group kills nothing."""
    me = os.getpid()
    if os.getpgid(0) == me:
        try:
            entries = os.listdir("/proc")
        except OSError:
            entries = []
        for entry in entries:
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat_file:
                    stat = stat_file.read()
                # After "(comm) ": state, ppid, pgrp.
                if int(stat[stat.rindex(b")") + 2 :].split()[2]) == me:
                    os.kill(int(entry), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                continue
    os._exit(code)


def read_frames(inbox):
    stdin = sys.stdin.buffer
    while True:
        header = read_exact(stdin, 4)
        if header is None:
            break
        (size,) = struct.unpack(">I", header)
        if size > MAX_MESSAGE_BYTES:
            send({"type": "fatal", "message": f"message of {size} bytes is over the limit of {MAX_MESSAGE_BYTES}"})
            break
        body = read_exact(stdin, size)
        if body is None:
            break
        try:
            inbox.put(json.loads(body.decode("utf-8")))
        except ValueError as error:
            send({"type": "fatal", "message": f"malformed message: {error}"})
            break


def gguf_context_length(path):
    """The `<arch>.context_length` of a GGUF file's metadata, or None (GGUF v2/v3 layout)."""
    scalar = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            return None
        (version,) = struct.unpack("<I", f.read(4))
        if version < 2:
            return None
        _tensors, kv_count = struct.unpack("<QQ", f.read(16))

        def read_string():
            (n,) = struct.unpack("<Q", f.read(8))
            return f.read(n).decode("utf-8", "replace")

        def read_value(kind):
            if kind == 8:
                return read_string()
            if kind == 9:
                item_kind, count = struct.unpack("<IQ", f.read(12))
                if item_kind in scalar:
                    f.seek(struct.calcsize(scalar[item_kind]) * count, 1)
                else:
                    for _ in range(count):
                        read_value(item_kind)
                return None
            fmt = scalar[kind]
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

        for _ in range(kv_count):
            key = read_string()
            (kind,) = struct.unpack("<I", f.read(4))
            value = read_value(kind)
            if key.endswith(".context_length"):
                return int(value)
    return None


def folder_context_length(path):
    try:
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    for key in ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"):
        if isinstance(config.get(key), int):
            return config[key]
    return None


class Decoder:
    """Incremental detokenization: new text only once it is whole (no half UTF-8 characters)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.ids = []
        self.prefix = 0
        self.read = 0

    def push(self, ids):
        self.ids.extend(ids)
        before = self.tokenizer.decode(self.ids[self.prefix : self.read])
        after = self.tokenizer.decode(self.ids[self.prefix :])
        if len(after) > len(before) and not after.endswith("\ufffd"):
            self.prefix = self.read
            self.read = len(self.ids)
            return after[len(before) :]
        return ""

    def flush(self):
        before = self.tokenizer.decode(self.ids[self.prefix : self.read])
        after = self.tokenizer.decode(self.ids[self.prefix :])
        self.prefix = self.read = len(self.ids)
        return after[len(before) :] if len(after) > len(before) else ""


class StopMatcher:
    """Text-level stop sequences: holds back text that may start one, cuts at the first match."""

    def __init__(self, stops):
        self.stops = [s for s in stops if s]
        self.text = ""
        self.sent = 0

    def push(self, text):
        """Returns (text to send now, stopped)."""
        self.text += text
        if not self.stops:
            out = self.text[self.sent :]
            self.sent = len(self.text)
            return out, False
        longest = max(len(s) for s in self.stops)
        start = max(0, self.sent - longest + 1)
        cut = None
        for stop in self.stops:
            at = self.text.find(stop, start)
            if at >= 0 and (cut is None or at < cut):
                cut = at
        if cut is not None:
            out = self.text[self.sent : cut]
            self.sent = cut
            return out, True
        safe = len(self.text)
        for stop in self.stops:
            for k in range(min(len(stop) - 1, len(self.text)), 0, -1):
                if self.text.endswith(stop[:k]):
                    safe = min(safe, len(self.text) - k)
                    break
        safe = max(safe, self.sent)
        out = self.text[self.sent : safe]
        self.sent = safe
        return out, False

    def flush(self):
        out = self.text[self.sent :]
        self.sent = len(self.text)
        return out


class Sequence:
    def __init__(self, job, index, handle, tokenizer):
        self.job = job
        self.index = index
        self.handle = handle
        self.decoder = Decoder(tokenizer)
        self.stop = StopMatcher(job.stops)
        self.tokens = 0
        self.done = False


class Job:
    def __init__(self, request_id, prompt_tokens, stops, logprobs):
        self.id = request_id
        self.prompt_tokens = prompt_tokens
        self.stops = stops
        self.logprobs = logprobs
        self.sequences = []


FINISH = {"STOP": "stop", "LENGTH": "length"}


class Worker:
    def __init__(self, genai, load):
        self.genai = genai
        scheduler = genai.SchedulerConfig()
        for key in ("max_num_seqs", "max_num_batched_tokens", "cache_size", "enable_prefix_caching"):
            if load.get(key) is not None:
                setattr(scheduler, key, load[key])
        path = load["path"]
        properties = {str(k): v for k, v in (load.get("plugin_config") or {}).items()}
        started = time.monotonic()
        self.pipe = genai.ContinuousBatchingPipeline(path, scheduler, load.get("device") or "CPU", properties)
        self.tokenizer = self.pipe.get_tokenizer()
        if os.path.isdir(path):
            context = folder_context_length(path)
        else:
            context = gguf_context_length(path)
        self.context = context
        self.load_seconds = time.monotonic() - started
        self.jobs = {}
        self.next_handle = 0
        self.reported = 0.0

    def prompt_of(self, request):
        if "messages" in request:
            return self.tokenizer.apply_chat_template(request["messages"], add_generation_prompt=True)
        return request["prompt"]

    def count_tokens(self, text):
        return int(self.tokenizer.encode(text, add_special_tokens=False).input_ids.get_shape()[1])

    def config_of(self, params, prompt_tokens):
        config = self.genai.GenerationConfig()
        max_tokens = params.get("max_tokens")
        room = None if self.context is None else self.context - prompt_tokens
        if max_tokens is None:
            max_tokens = room if room is not None else 4096
        elif room is not None:
            max_tokens = min(max_tokens, room)
        config.max_new_tokens = max(1, max_tokens)
        # Absent: GenAI's own default, greedy decoding (a small model rambles when sampled).
        temperature = params.get("temperature", 0.0)
        if temperature and temperature > 0:
            config.do_sample = True
            config.temperature = temperature
            config.top_p = params.get("top_p", 1.0)
            if params.get("top_k") is not None:
                config.top_k = params["top_k"]
        for key in ("presence_penalty", "frequency_penalty", "repetition_penalty"):
            if params.get(key) is not None:
                setattr(config, key, params[key])
        if params.get("ignore_eos"):
            config.ignore_eos = True
        if params.get("logprobs"):
            config.logprobs = 1
        return config

    def add(self, request):
        request_id = request["id"]
        params = request.get("params") or {}
        try:
            prompt = self.prompt_of(request)
            prompt_tokens = self.count_tokens(prompt)
        except Exception as error:  # a template or tokenizer failure is the request's fault
            send({"type": "error", "id": request_id, "code": "invalid", "message": str(error)})
            return
        if self.context is not None and prompt_tokens >= self.context:
            send({
                "type": "error",
                "id": request_id,
                "code": "context",
                "message": f"This model's maximum context length is {self.context} tokens; "
                f"the prompt has {prompt_tokens} tokens",
            })
            return
        job = Job(request_id, prompt_tokens, params.get("stop") or [], bool(params.get("logprobs")))
        n = int(params.get("n", 1))
        try:
            for index in range(n):
                config = self.config_of(params, prompt_tokens)
                if params.get("seed") is not None:
                    config.rng_seed = int(params["seed"]) + index
                handle = self.pipe.add_request(self.next_handle, prompt, config)
                self.next_handle += 1
                job.sequences.append(Sequence(job, index, handle, self.tokenizer))
        except Exception as error:
            for sequence in job.sequences:
                sequence.handle.cancel()
            send({"type": "error", "id": request_id, "code": "invalid", "message": str(error)})
            return
        self.jobs[request_id] = job
        send({"type": "start", "id": request_id, "prompt_tokens": prompt_tokens})

    def cancel(self, request_id):
        # Always answered, so the server knows the request holds no seat here any more.
        job = self.jobs.pop(request_id, None)
        for sequence in job.sequences if job is not None else []:
            if not sequence.done:
                sequence.handle.cancel()
        send({"type": "cancelled", "id": request_id})

    def metrics(self):
        m = self.pipe.get_metrics()
        send({
            "type": "metrics",
            "requests": int(m.requests),
            "scheduled_requests": int(m.scheduled_requests),
            "cache_usage": float(m.cache_usage),
            "active_jobs": len(self.jobs),
        })

    def finish(self, sequence, reason):
        sequence.done = True
        send({
            "type": "end",
            "id": sequence.job.id,
            "index": sequence.index,
            "finish_reason": reason,
            "completion_tokens": sequence.tokens,
        })
        job = sequence.job
        if all(s.done for s in job.sequences):
            self.jobs.pop(job.id, None)

    def collect(self):
        """Sends every sequence's new text; ends sequences that finished or hit a stop string."""
        for job in list(self.jobs.values()):
            for sequence in job.sequences:
                if sequence.done:
                    continue
                handle = sequence.handle
                status = handle.get_status().name
                if handle.can_read():
                    ids = []
                    logprobs = []
                    reason = None
                    for output in handle.read().values():
                        ids.extend(output.generated_ids)
                        if job.logprobs:
                            logprobs.extend(output.generated_log_probs)
                        name = output.finish_reason.name
                        if name != "NONE":
                            reason = FINISH.get(name, "stop")
                    sequence.tokens += len(ids)
                    text, stopped = sequence.stop.push(sequence.decoder.push(ids))
                    if text or logprobs:
                        message = {"type": "delta", "id": job.id, "index": sequence.index, "text": text}
                        if job.logprobs:
                            message["logprobs"] = [
                                {"token": self.tokenizer.decode([i]), "logprob": float(p)}
                                for i, p in zip(ids, logprobs)
                            ]
                        send(message)
                    if stopped:
                        handle.cancel()
                        self.finish(sequence, "stop")
                        continue
                    if reason is not None:
                        self.flush(sequence)
                        self.finish(sequence, reason)
                        continue
                if status in ("FINISHED", "STOP", "DROPPED_BY_PIPELINE", "DROPPED_BY_HANDLE", "CANCEL", "IGNORED"):
                    if not handle.can_read():
                        self.flush(sequence)
                        self.finish(sequence, "length" if status == "IGNORED" else "stop")

    def flush(self, sequence):
        text, _ = sequence.stop.push(sequence.decoder.flush())
        text += sequence.stop.flush()
        if text:
            send({"type": "delta", "id": sequence.job.id, "index": sequence.index, "text": text})

    def handle(self, message):
        op = message.get("op")
        if op == "generate":
            self.add(message)
        elif op == "cancel":
            self.cancel(message["id"])
        elif op == "metrics":
            self.metrics()
        elif op == "shutdown":
            return False
        elif op == "crash":
            # For the supervision tests: dies as a native crash would, without a word.
            os._exit(int(message.get("code", 70)))
        else:
            send({"type": "fatal", "message": f"unknown op {op!r}"})
        return True

    def run(self, inbox):
        while True:
            if not self.jobs:
                message = inbox.get()
                if not self.handle(message):
                    return
            while True:
                try:
                    message = inbox.get_nowait()
                except queue.Empty:
                    break
                if not self.handle(message):
                    return
            if self.jobs and self.pipe.has_non_finished_requests():
                self.pipe.step()
            self.collect()
            now = time.monotonic()
            if now - self.reported > METRICS_INTERVAL_S:
                self.reported = now
                self.metrics()


def main():
    inbox = queue.Queue()
    threading.Thread(target=read_messages, args=(inbox,), daemon=True).start()
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    load = inbox.get()
    if load.get("op") != "load":
        send({"type": "fatal", "message": "the first message must be a load"})
        return 2
    try:
        import openvino_genai as genai

        worker = Worker(genai, load)
    except Exception as error:
        send({"type": "load_error", "message": str(error)})
        return 1
    send({
        "type": "ready",
        "context_length": worker.context,
        "load_seconds": worker.load_seconds,
        "genai_version": genai.__version__,
    })
    worker.run(inbox)
    return 0


if __name__ == "__main__":
    # Always leave through os._exit, in `finally`: the interpreter's teardown can block for good
    # in the pipeline's destructor, and once the server is gone every write (the final flush, a
    # message on stderr) raises BrokenPipeError.
    exit_code = 1
    try:
        exit_code = main()
        sys.stdout.flush()
    except BaseException as error:  # noqa: BLE001 - whatever it is, the worker must end
        try:
            print(f"genai_worker: {type(error).__name__}: {error}", file=sys.stderr)
        except BaseException:  # noqa: BLE001 - stderr is gone with the server
            pass
    finally:
        leave(exit_code)
