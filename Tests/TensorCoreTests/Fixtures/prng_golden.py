"""Independent reference for GradScope's PRNG (xoshiro256** seeded by SplitMix64).

Written from the published reference C code (Blackman & Vigna, prng.di.unimi.it; Steele et al.
2014), not from the Swift source. Run `python3 prng_golden.py > prng_golden.json` to regenerate.
"""
import json

M = (1 << 64) - 1

def splitmix64(state):
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        yield z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def xoshiro256ss(seed):
    sm = splitmix64(seed)
    s = [next(sm) for _ in range(4)]
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result

out = {"provenance": "Tests/TensorCoreTests/Fixtures/prng_golden.py (independent Python implementation)"}
for seed in (0, 42, 2**64 - 1):
    g = xoshiro256ss(seed)
    raw = [next(g) for _ in range(8)]
    out[str(seed)] = {
        "uint64": [str(v) for v in raw],
        "double": [float(v >> 11) * 2.0**-53 for v in raw],
    }
print(json.dumps(out, indent=1))
