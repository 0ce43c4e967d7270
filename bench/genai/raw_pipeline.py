"""The limit for bench/genai: GenAI's ContinuousBatchingPipeline in this one process, no server.

Usage: raw_pipeline.py <model> <max_num_seqs> <max_tokens> <prompts.json>
Prints "ready" once loaded and warmed up; then each stdin line holding a concurrency runs one
round and prints {"seconds", "tokens", "ttft_ms": [...]} as one JSON line, so the bench can
alternate rounds with the server's under the same machine load. The same chat template,
scheduler and generation settings as the server's worker.
"""
import json
import sys
import time

import openvino_genai as genai

model, max_num_seqs, max_tokens, prompts_file = sys.argv[1:5]
with open(prompts_file, encoding="utf-8") as f:
    prompts = json.load(f)
scheduler = genai.SchedulerConfig()
scheduler.max_num_seqs = int(max_num_seqs)
pipe = genai.ContinuousBatchingPipeline(model, scheduler, "CPU", {})
tokenizer = pipe.get_tokenizer()
texts = [tokenizer.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True) for p in prompts]


def config():
    c = genai.GenerationConfig()
    c.max_new_tokens = int(max_tokens)
    c.ignore_eos = True
    return c


def run(width, first_id):
    started = time.monotonic()
    handles = [pipe.add_request(first_id + i, texts[i % len(texts)], config()) for i in range(width)]
    first = [None] * width
    tokens = 0
    while pipe.has_non_finished_requests():
        pipe.step()
        for i, handle in enumerate(handles):
            if handle.can_read():
                for output in handle.read().values():
                    # Detokenized as the server's worker does, so both sides pay for it.
                    tokenizer.decode(output.generated_ids)
                    tokens += len(output.generated_ids)
                    if first[i] is None and output.generated_ids:
                        first[i] = time.monotonic()
    seconds = time.monotonic() - started
    return {"seconds": seconds, "tokens": tokens, "ttft_ms": [(t - started) * 1000 for t in first if t is not None]}


run(1, 10_000_000)  # warm-up: the first step compiles
print("ready", flush=True)
next_id = 0
for line in sys.stdin:
    width = int(line)
    print(json.dumps(run(width, next_id)), flush=True)
    next_id += width
