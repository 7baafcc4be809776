"""PyTorch reference for the Hugging Face student benchmark (HuggingFaceBenchmark.cs): the Qwen2.5-0.5B shape, randomly
initialised, fp32 on the CPU, at the thread count the C# side used. It measures what the C# side measures, on the same
shapes: greedy decoding with a KV cache (batch 1 and 8), scoring (greedy own answers at batch 8, then one teacher-forced
forward for their NLL, the loss-high signals) and one LoRA training step (r 8 on q,k,v,o,gate,up,down, batch 4, AdamW)
over all 24 layers. Plain PyTorch modules, no transformers package (Debian's python3-torch only).

Usage: python3 pytorch_qwen2_reference.py <exchange.json>; prints one JSON line."""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


class Lora(torch.nn.Module):
    def __init__(self, base, rank, alpha, dropout):
        super().__init__()
        self.base = base
        self.a = torch.nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(self.dropout(x), self.a), self.b) * self.scale


class RmsNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, hd = c["hidden"], c["head_dim"]
        self.heads, self.kv_heads, self.head_dim = c["heads"], c["kv_heads"], hd
        self.q = torch.nn.Linear(h, self.heads * hd, bias=True)
        self.k = torch.nn.Linear(h, self.kv_heads * hd, bias=True)
        self.v = torch.nn.Linear(h, self.kv_heads * hd, bias=True)
        self.o = torch.nn.Linear(self.heads * hd, h, bias=False)
        self.gate = torch.nn.Linear(h, c["intermediate"], bias=False)
        self.up = torch.nn.Linear(h, c["intermediate"], bias=False)
        self.down = torch.nn.Linear(c["intermediate"], h, bias=False)
        self.norm1 = RmsNorm(h, c["eps"])
        self.norm2 = RmsNorm(h, c["eps"])

    def forward(self, x, cos, sin, cache, mask):
        b, t, _ = x.shape
        y = self.norm1(x)
        q = self.q(y).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(y).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v(y).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        att = torch.softmax(scores, dim=-1) @ v
        x = x + self.o(att.transpose(1, 2).reshape(b, t, -1))
        y = self.norm2(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


class Qwen2(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab"], c["hidden"])
        self.layers = torch.nn.ModuleList([Layer(c) for _ in range(c["layers"])])
        self.norm = RmsNorm(c["hidden"], c["eps"])
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, c["head_dim"], 2).float() / c["head_dim"]))
        self.register_buffer("inv_freq", inv, persistent=False)

    def rotary(self, positions):
        freqs = positions[:, None].float() * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        return emb.cos()[None, None], emb.sin()[None, None]

    def hidden(self, ids, start, caches):
        t = ids.shape[1]
        cos, sin = self.rotary(torch.arange(start, start + t))
        mask = None
        if t > 1:
            mask = torch.full((t, start + t), float("-inf")).triu(start + 1)[None, None]
        x = self.embed(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, caches[i] if caches is not None else None, mask)
        return self.norm(x)

    def logits(self, h):
        return h @ self.embed.weight.t()  # tied embeddings


@torch.no_grad()
def decode(model, prompts, new_tokens):
    caches = [dict() for _ in model.layers]
    h = model.hidden(prompts, 0, caches)
    token = model.logits(h[:, -1:]).argmax(-1)
    out = [token]
    for step in range(1, new_tokens):
        h = model.hidden(token, prompts.shape[1] + step - 1, caches)
        token = model.logits(h).argmax(-1)
        out.append(token)
    return torch.cat(out, dim=1)


@torch.no_grad()
def score(model, prompts, new_tokens):
    answers = decode(model, prompts, new_tokens)
    sequence = torch.cat([prompts, answers], dim=1)
    logits = model.logits(model.hidden(sequence[:, :-1], 0, None))
    logp = torch.log_softmax(logits[:, prompts.shape[1] - 1:], dim=-1)
    return -logp.gather(-1, answers[..., None]).mean()


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def timed(action, reps):
    action()  # warm-up
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return median(times), min(times)


def main():
    x = json.load(open(sys.argv[1]))
    torch.set_num_threads(x["threads"])
    torch.manual_seed(1)
    c = x["config"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    model = Qwen2(c).eval()
    gen = torch.Generator().manual_seed(2)
    for batch in (1, 8):
        prompts = torch.randint(0, 256, (batch, x["prompt_tokens"]), generator=gen)
        seconds, best = timed(lambda: decode(model, prompts, x["new_tokens"]), x["reps"])
        out[f"decode_batch_{batch}_tokens_per_second"] = round(batch * x["new_tokens"] / seconds, 2)
        out[f"decode_batch_{batch}_seconds_median"] = round(seconds, 3)
    prompts = torch.randint(0, 256, (x["score_batch"], x["prompt_tokens"]), generator=gen)
    seconds, _ = timed(lambda: score(model, prompts, x["new_tokens"]), x["reps"])
    out["scoring_seconds_median"] = round(seconds, 3)
    out["scoring_items_per_second"] = round(x["score_batch"] / seconds, 3)

    # LoRA step over all layers: frozen base, adapters on the seven projections, AdamW on the adapters only.
    train = x["train"]
    for p in model.parameters():
        p.requires_grad_(False)
    for layer in model.layers:
        for name in ("q", "k", "v", "o", "gate", "up", "down"):
            setattr(layer, name, Lora(getattr(layer, name), train["rank"], train["alpha"], train["dropout"]))
    model.train()
    adapters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(adapters, lr=1e-4)
    batch = torch.randint(0, 256, (train["batch"], train["sequence_tokens"] + 1), generator=gen)

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model.logits(model.hidden(batch[:, :-1], 0, None))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(adapters, 1.0)
        optimizer.step()

    seconds, best = timed(step, x["train_reps"])
    out["lora_step_layers"] = c["layers"]
    out["lora_step_seconds_median"] = round(seconds, 3)
    out["lora_step_seconds_min"] = round(best, 3)
    out["lora_trainable_parameters"] = sum(p.numel() for p in adapters)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
