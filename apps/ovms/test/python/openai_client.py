"""The `openai` Python client (PyPI, unchanged) against ovms-ts's /v3 API.

Usage: openai_client.py <base_url> <api_key> <model>; prints {check: {"ok"|"error"}} as JSON.
"""
import sys

import openai

from common import run_checks

base_url, api_key, model = sys.argv[1:4]
client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=120)
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def chat():
    r = client.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=24)
    choice = r.choices[0]
    return {
        "object": r.object,
        "id_prefix": r.id[:9],
        "model": r.model,
        "role": choice.message.role,
        "content": choice.message.content,
        "finish_reason": choice.finish_reason,
        "usage": r.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}),
    }


def chat_stream():
    stream = client.chat.completions.create(
        model=model,
        messages=QUESTION,
        temperature=0,
        max_tokens=24,
        stream=True,
        stream_options={"include_usage": True},
    )
    roles, parts, finish, usage, chunks = [], [], None, None, 0
    for chunk in stream:
        chunks += 1
        assert chunk.object == "chat.completion.chunk"
        if chunk.usage is not None:
            usage = chunk.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"})
        for choice in chunk.choices:
            if choice.delta.role:
                roles.append(choice.delta.role)
            if choice.delta.content:
                parts.append(choice.delta.content)
            if choice.finish_reason:
                finish = choice.finish_reason
    return {"roles": roles, "content": "".join(parts), "finish_reason": finish, "usage": usage, "chunks": chunks}


def completion():
    r = client.completions.create(model=model, prompt="The capital of France is", temperature=0, max_tokens=8)
    return {"object": r.object, "text": r.choices[0].text, "finish_reason": r.choices[0].finish_reason,
            "completion_tokens": r.usage.completion_tokens}


def completion_stream():
    stream = client.completions.create(
        model=model, prompt="The capital of France is", temperature=0, max_tokens=8, stream=True
    )
    parts, finish = [], None
    for chunk in stream:
        for choice in chunk.choices:
            parts.append(choice.text)
            finish = choice.finish_reason or finish
    return {"text": "".join(parts), "finish_reason": finish}


def stop():
    r = client.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=24, stop=[" Paris"])
    return {"content": r.choices[0].message.content, "finish_reason": r.choices[0].finish_reason}


def seeded():
    def once():
        r = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Write a short poem about the sea."}],
            temperature=1.0,
            seed=1234,
            max_tokens=20,
        )
        return r.choices[0].message.content

    return [once(), once()]


def choices():
    r = client.chat.completions.create(model=model, messages=QUESTION, n=2, max_tokens=6, temperature=0.8, seed=7)
    return {"indexes": [c.index for c in r.choices], "completion_tokens": r.usage.completion_tokens}


def logprobs():
    r = client.chat.completions.create(model=model, messages=QUESTION, temperature=0, max_tokens=4, logprobs=True)
    content = r.choices[0].logprobs.content
    return {"tokens": len(content), "all_negative": all(t.logprob <= 0 for t in content),
            "text": "".join(t.token for t in content) == r.choices[0].message.content}


def models():
    return [m.id for m in client.models.list().data]


def bad_temperature():
    client.chat.completions.create(model=model, messages=QUESTION, temperature=5)


def unknown_model():
    client.chat.completions.create(model="no-such-model", messages=QUESTION)


def too_long():
    client.completions.create(model=model, prompt="word " * 9000, max_tokens=4)


def wrong_key():
    openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0).models.list()


def error_of(fn):
    def check():
        try:
            fn()
        except openai.APIStatusError as error:
            body = error.body if isinstance(error.body, dict) else {}
            return {"status": error.status_code, "type": body.get("type"), "param": body.get("param"),
                    "message": body.get("message") or str(error.body)}
        raise AssertionError("no error")
    return check


run_checks([
    ("chat", chat),
    ("chat_stream", chat_stream),
    ("completion", completion),
    ("completion_stream", completion_stream),
    ("stop", stop),
    ("seeded", seeded),
    ("choices", choices),
    ("logprobs", logprobs),
    ("models", models),
    ("bad_temperature", error_of(bad_temperature)),
    ("unknown_model", error_of(unknown_model)),
    ("too_long", error_of(too_long)),
    ("wrong_key", error_of(wrong_key)),
])
