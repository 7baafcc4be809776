#!/usr/bin/env python3
"""PyTorch reference for the student benchmark: the same GPT as the TorchSharp student (and the
Python spike it ports), the same prompts and training batches (written by the .NET benchmark), the same thread count.
Prints one JSON line: scoring and training tokens/s. Run by Program.cs; needs Debian's python3-torch
(+ libopenblas0-pthread, else it runs on reference BLAS, about 10x slower)."""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, ff):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x, mask, cache=None):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = [t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v)]
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], 2)
                v = torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.h)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.proj(y)
        return x + self.ff(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, ff, ctx):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.lnf, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, idx, pos, mask, caches=None):
        x = self.tok(idx) + self.pos(pos)
        for i, b in enumerate(self.blocks):
            x = b(x, mask, None if caches is None else caches[i])
        return self.head(self.lnf(x))


@torch.no_grad()
def decode(model, prompts, steps):
    B, L = len(prompts), max(len(p) for p in prompts)
    npad = torch.tensor([L - len(p) for p in prompts])
    x = torch.tensor([[0] * (L - len(p)) + p for p in prompts])
    pos = (torch.arange(L).unsqueeze(0) - npad.unsqueeze(1)).clamp(min=0)
    valid = torch.arange(L).unsqueeze(0) >= npad.unsqueeze(1)
    mask = ((torch.ones(L, L, dtype=torch.bool).tril().unsqueeze(0) & valid.unsqueeze(1)) | torch.eye(L, dtype=torch.bool)).unsqueeze(1)
    caches = [dict() for _ in model.blocks]
    tok = model(x, pos, mask, caches)[:, -1].argmax(-1)
    cur = pos[:, -1]
    for _ in range(steps - 1):
        cur = cur + 1
        valid = torch.cat([valid, torch.ones(B, 1, dtype=torch.bool)], 1)
        tok = model(tok[:, None], cur[:, None], valid[:, None, None, :], caches)[:, -1].argmax(-1)
    return int(tok[0])


def train(model, opt, batches):
    model.train()
    for x, y in batches:
        T = x.shape[1]
        pos = torch.arange(T).unsqueeze(0).expand_as(x)
        mask = torch.ones(T, T, dtype=torch.bool).tril().view(1, 1, T, T)
        logits = model(x, pos, mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        float(loss)


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def main():
    ex = json.load(open(sys.argv[1]))
    torch.set_num_threads(ex["threads"])
    torch.manual_seed(0)
    c = ex["config"]
    model = GPT(c["vocab"], c["d"], c["layers"], c["heads"], c["ff"], c["ctx"])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01, betas=(0.9, 0.98))
    batches = [(torch.tensor(b["x"]).view(*b["shape"]), torch.tensor(b["y"]).view(*b["shape"])) for b in ex["train_batches"]]
    prompts, steps = ex["prompts"], ex["decode_steps"]
    model.eval()
    decode(model, prompts, steps)
    train(model, opt, batches[:5])
    ts, tt = [], []
    for _ in range(ex["reps"]):
        model.eval()
        t0 = time.perf_counter(); decode(model, prompts, steps); ts.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); train(model, opt, batches); tt.append(time.perf_counter() - t0)
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": "openblas" if "openblas" in open("/proc/self/maps").read().lower() else "generic (reference BLAS: install libopenblas0-pthread)",
        "scoring_tokens_per_second": round(ex["score_tokens"] / median(ts)),
        "training_tokens_per_second": round(ex["train_tokens"] / median(tt)),
        "scoring_seconds_median": round(median(ts), 4),
        "training_seconds_per_round_median": round(median(tt), 3),
        "note": "minimal PyTorch loops (argmax decoding with KV cache; forward/backward/clip/AdamW) on the same prompts and batches",
    }))


if __name__ == "__main__":
    main()
