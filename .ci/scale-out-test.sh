#!/usr/bin/env bash
# The scale-out path end to end with the release binary: `gradscope plan` writes the job files;
# the local xargs script, the Kubernetes pod command (run here with JOB_COMPLETION_INDEX set) and,
# when a single-node Slurm can be started (root, Debian's slurm packages), the Slurm array
# submitted with `sbatch --wait`; each merge must equal the unsharded check entry for entry.
# Prints "scale-out: N passed, M failed" (and skips Slurm with its reason when it cannot start).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
g="$root/.build/release/gradscope"
[ -x "$g" ] || { echo "scale-out: build the release binary first"; exit 1; }
work=$(mktemp -d /tmp/gradscope-scale-out.XXXXXX)
passed=0; failed=0
ok() { echo "  ok: $*"; passed=$((passed + 1)); }
bad() { echo "  FAILED: $*"; failed=$((failed + 1)); }

same() {  # same WHOLE.json MERGED.json: the merged report equals the unsharded one
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
diff = [k for k in ("verdict", "entries", "blocks", "diagnosis", "anchors", "noise", "value") if a.get(k) != b.get(k)]
sys.exit(f"differs in {diff}" if diff else 0)
PY
}

cmd="python3 $root/Examples/exec/ex4_nncost.py"
"$g" check --exec "$cmd" --jobs 1 --format json > "$work/whole.json"
"$g" plan --exec "$cmd" --jobs 1 --workers 2 --out "$work/plan" > "$work/plan.txt" || { bad "plan"; cat "$work/plan.txt"; }
shards=$(python3 -c "import json;print(json.load(open('$work/plan/plan.json'))['shards'])")

# 1. One machine: xargs -P.
(cd "$work" && sh plan/run-local.sh --format json > "$work/local.txt" 2>&1)
"$g" merge "$work"/plan/part-*.json --format json > "$work/merged-local.json"
same "$work/whole.json" "$work/merged-local.json" && ok "xargs -P: $shards shards merge to the unsharded report" || bad "xargs merge"
rm -f "$work"/plan/part-*.json

# 2. Kubernetes: the Indexed Job's fields, and its pod command with JOB_COMPLETION_INDEX set.
python3 - "$work/plan/check-job.yaml" "$shards" > "$work/pod-command.txt" <<'PY' || bad "the Kubernetes job file"
import sys
text = open(sys.argv[1]).read()
try:
    import yaml
    job = yaml.safe_load(text)
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed", "not an Indexed Job"
    assert spec["completions"] == int(sys.argv[2]) and spec["backoffLimitPerIndex"] >= 1, "completions/backoffLimitPerIndex"
    command = spec["template"]["spec"]["containers"][0]["command"]
except ImportError:   # no PyYAML: read the one flow sequence by hand
    import json
    line = next(l for l in text.splitlines() if l.strip().startswith("command:"))
    command = json.loads(line.split("command:", 1)[1])
    assert "completionMode: Indexed" in text
assert command[:2] == ["sh", "-c"], command
print(command[2])
PY
for k in $(seq 0 $((shards - 1))); do
  JOB_COMPLETION_INDEX=$k sh -c "$(cat "$work/pod-command.txt")" > /dev/null 2>&1 || bad "pod command, index $k"
done
"$g" merge "$work"/plan/part-*.json --format json > "$work/merged-k8s.json"
same "$work/whole.json" "$work/merged-k8s.json" && ok "Kubernetes pod command: $shards indices merge to the unsharded report" || bad "Kubernetes merge"
rm -f "$work"/plan/part-*.json

# 3. Slurm: a real single-node cluster, the generated array script, sbatch --wait.
slurm_state="$work/slurm"
if status=$(bash .ci/slurm.sh start "$slurm_state" 2>&1); then
  echo "  $status"
  export SLURM_CONF="$slurm_state/slurm.conf"
  if timeout 600 sbatch --wait "$work/plan/check.sbatch" > "$work/sbatch.txt" 2>&1; then
    "$g" merge "$work"/plan/part-*.json --format json > "$work/merged-slurm.json"
    same "$work/whole.json" "$work/merged-slurm.json" && ok "Slurm: sbatch --wait of the $shards-task array merges to the unsharded report" || bad "Slurm merge"
  else
    bad "sbatch --wait: $(tail -2 "$work/sbatch.txt" | tr '\n' ' ') $(cat "$work"/plan/slurm-*.out 2>/dev/null | tail -3 | tr '\n' ' ')"
  fi
  bash .ci/slurm.sh stop "$slurm_state"
else
  echo "  skipped Slurm: $status"
fi
rm -rf "$work"
echo "scale-out: $passed passed, $failed failed"
[ "$failed" = 0 ]
