"""Softmax as a vector-valued gradscope/1 program: outputs s = softmax(z) and the
vector-Jacobian product cᵀ·J for a cotangent c, written by hand (standard library only).

    gradscope check --exec "python3 Examples/exec/softmax_vjp.py"          # passes
    gradscope check --exec "python3 Examples/exec/softmax_vjp.py diag"     # diagonal-only
    gradscope check --exec "python3 Examples/exec/softmax_vjp.py scale"    # × 1.001
    gradscope check --exec "python3 Examples/exec/softmax_vjp.py acc"      # keeps state between calls
"""
import json, math, sys
bug = sys.argv[1] if len(sys.argv) > 1 else ""
x = [0.3, -1.2, 0.8, 0.1, 2.0]
def softmax(z):
    m = max(z); e = [math.exp(v - m) for v in z]; s = sum(e); return [v / s for v in e]
def vjp(z, g):
    s = softmax(z)
    if bug == "diag":
        return [gi * si * (1 - si) for gi, si in zip(g, s)]
    if bug == "scale":
        return [1.001 * si * (gi - sum(a * b for a, b in zip(g, s))) for gi, si in zip(g, s)]
    if bug == "acc":
        global acc
        acc = [a + si * (gi - sum(p * q for p, q in zip(g, s))) for a, gi, si in zip(acc, g, s)]
        return acc
    dot = sum(a * b for a, b in zip(g, s))
    return [si * (gi - dot) for gi, si in zip(g, s)]
acc = [0.0] * len(x)
print(json.dumps({"protocol": "gradscope/1", "x": x, "parameters": [{"name": "z", "shape": [5]}], "outputs": [{"name": "s", "shape": [5]}]}), flush=True)
for line in sys.stdin:
    r = json.loads(line)
    if r.get("op") == "exit": break
    p = list(x)
    off = r.get("offset")
    if off:
        for i, v in zip(off["indices"], off["values"]): p[i] += v
    out = {"id": r["id"], "value": softmax(p)}
    if "cotangent" in r: out["gradient"] = vjp(p, r["cotangent"])
    print(json.dumps(out), flush=True)
