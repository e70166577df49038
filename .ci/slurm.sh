#!/usr/bin/env bash
# A single-node Slurm for the scale-out test, started by hand as root (no systemd):
#   .ci/slurm.sh start DIR   → munged, slurmctld, slurmd with state under DIR; prints "slurm: up"
#   .ci/slurm.sh stop DIR    → stops them
# Needs Debian's slurmctld, slurmd, slurm-client and munge. Exits non-zero with a one-line reason
# when Slurm cannot be started here (the caller then skips the Slurm test).
set -u
action=${1:?start or stop}
dir=${2:?state directory}
conf="$dir/slurm.conf"

stop() {
  for f in slurmd slurmctld munged; do
    [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null
  done
  sleep 1
  for f in slurmd slurmctld munged; do
    [ -f "$dir/$f.pid" ] && kill -9 "$(cat "$dir/$f.pid")" 2>/dev/null
    rm -f "$dir/$f.pid"
  done
  return 0
}

if [ "$action" = stop ]; then stop; exit 0; fi

for tool in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "slurm: $tool not installed"; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "slurm: needs root to start munged and slurmd"; exit 2; }
mkdir -p "$dir"/{state,spool,log} /run/munge /var/lib/munge /var/log/munge /etc/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge 2>/dev/null || true
chmod 0700 /etc/munge /var/lib/munge /var/log/munge; chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  (mungekey --create --keyfile=/etc/munge/munge.key >/dev/null 2>&1 \
    || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null) || { echo "slurm: cannot create a munge key"; exit 2; }
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
fi
if ! pgrep -x munged >/dev/null; then
  su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=$dir/munged.pid.tmp" 2>"$dir/log/munged.err" \
    || runuser -u munge -- /usr/sbin/munged 2>>"$dir/log/munged.err" \
    || { echo "slurm: munged did not start: $(tail -1 "$dir/log/munged.err")"; exit 2; }
  sleep 0.5
  pgrep -x munged > "$dir/munged.pid" || true
fi
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat > "$conf" <<CONF
ClusterName=gradscope-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SlurmctldPort=16817
SlurmdPort=16818
NodeName=localhost NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf" 2>"$dir/log/slurmctld.err" || { echo "slurm: slurmctld did not start: $(tail -1 "$dir/log/slurmctld.err")"; stop; exit 2; }
slurmd -f "$conf" -N localhost 2>"$dir/log/slurmd.err" || { echo "slurm: slurmd did not start: $(tail -1 "$dir/log/slurmd.err")"; stop; exit 2; }
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then echo "slurm: up ($cpus CPUs)"; exit 0; fi
  scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
  sleep 1
done
echo "slurm: the node did not become idle: $(sinfo -h -o '%T %E' 2>&1 | head -1); $(tail -1 "$dir/log/slurmctld.log" 2>/dev/null)"
stop
exit 2
