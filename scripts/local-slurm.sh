#!/usr/bin/env bash
# local-slurm.sh start|stop|status — a one-node Slurm cluster on this machine, for trying
# and testing paperprov's Slurm executor (README: "Experiments on Slurm").
#
# For a Debian/Ubuntu machine where you are root and there is no systemd (a container, a
# CI runner): it needs the packages slurm-wlm, munge, slurmdbd and mariadb-server
# (`PAPERPROV_SLURM=1 bash install.sh` installs them). It starts, in this order:
#   munged     as the munge user (authentication between the Slurm daemons and clients);
#   mariadbd   a private instance (own data directory, 127.0.0.1 only) for slurmdbd;
#   slurmdbd   accounting: without it sacct knows nothing, and a cancelled job cannot be
#              told from a running one;
#   slurmctld, slurmd   the controller and the one node (this host, all its cores).
# Each daemon writes a PID file under $STATE; `stop` stops exactly those processes, by
# their PID files, and nothing else. Both verbs are idempotent: `start` leaves running
# daemons alone, `stop` ignores stopped ones. A daemon this script did not start (say a
# munged that was already running) is used, never stopped.
#
# It writes /etc/slurm/slurm.conf and /etc/slurm/slurmdbd.conf (where Slurm's commands look
# for them), marked as its own, and refuses to overwrite files it did not write: never run
# it on a real cluster node.
#
# Settings chosen for one machine without systemd or cgroups: proctrack/linuxproc,
# task/none, jobacct_gather/none, no MPI; batch_sched_delay=0,sched_min_interval=0 so a
# job starts about a second after sbatch; KillWait=2 so cancelled and timed-out jobs end
# quickly; OverSubscribe=FORCE:4 lets up to four jobs share a core, so a small machine
# runs a paper's experiments (and parallel test runs) at once instead of queueing them.
set -euo pipefail

STATE="${PAPERPROV_SLURM_STATE:-/var/lib/paperprov-slurm}"
CLUSTER="${PAPERPROV_SLURM_CLUSTER:-paperprov}"
DB_PORT="${PAPERPROV_SLURM_DB_PORT:-16819}"
CONF_DIR=/etc/slurm
MARK="# written by paperprov scripts/local-slurm.sh"
DB_PASS=paperprov-local-only  # the database listens on 127.0.0.1 only, for slurmdbd
CHANGED=0  # set when configure rewrote a file

die() { echo "local-slurm.sh: $*" >&2; exit 1; }

alive() {  # alive PIDFILE: the process named in PIDFILE is running
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() {  # wait_for SECONDS WHAT COMMAND...: poll until COMMAND succeeds
  local limit=$1 what=$2 i
  shift 2
  for ((i = 0; i < limit * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$what did not come up within ${limit}s; see the logs in $STATE/log/ and $STATE/db/"
}

check_tools() {
  local t missing=()
  for t in munged mariadbd mariadb-install-db slurmdbd slurmctld slurmd sacctmgr sbatch; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} = 0 ] || die "missing ${missing[*]}; install the Debian packages: PAPERPROV_SLURM=1 bash install.sh (or apt-get install slurm-wlm munge slurmdbd mariadb-server)"
  [ "$(id -u)" = 0 ] || die "must run as root (it starts munged, mariadbd and the Slurm daemons)"
}

write_conf() {  # write_conf FILE MODE: stdin to FILE unless FILE is someone else's
  local file=$1 mode=$2
  if [ -e "$file" ] && ! grep -qF "$MARK" "$file"; then
    die "$file exists and was not written by this script; refusing to overwrite a real Slurm configuration"
  fi
  local tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [ -e "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$file"
    CHANGED=1
  fi
}

configure() {
  local host node
  host=$(hostname -s)
  # The node as slurmd sees it (cores, memory); a larger RealMemory would drain the node.
  node=$(slurmd -C | head -n 1)
  mkdir -p "$CONF_DIR" "$STATE/log" "$STATE/ctld" "$STATE/slurmd"
  write_conf "$CONF_DIR/slurm.conf" 0644 <<EOF
$MARK
ClusterName=$CLUSTER
SlurmctldHost=$host
SlurmUser=root
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
KillWait=2
InactiveLimit=0
MinJobAge=300
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
  # slurmdbd insists on its configuration being private to SlurmUser.
  write_conf "$CONF_DIR/slurmdbd.conf" 0600 <<EOF
$MARK
DbdHost=localhost
SlurmUser=root
PidFile=$STATE/slurmdbd.pid
LogFile=$STATE/log/slurmdbd.log
AuthType=auth/munge
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
}

start_munge() {
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    return  # a munged is already answering (ours or the system's)
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
  [ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key && chown munge:munge /etc/munge/munge.key; }
  install -d -o munge -g munge -m 0755 "$STATE/munge"
  runuser -u munge -- munged --pid-file="$STATE/munge/munged.pid" --log-file=/var/log/munge/munged.log 9>&-
  wait_for 10 munged sh -c 'munge -n </dev/null | unmunge'
}

start_db() {
  local db=$STATE/db
  alive "$db/mariadbd.pid" && return
  # The server runs as the mysql user: its data, socket, PID file and log live in a
  # directory of its own.
  install -d -o mysql -g mysql -m 0750 "$db"
  if [ ! -d "$db/data/mysql" ]; then
    mariadb-install-db --user=mysql --datadir="$db/data" --skip-test-db \
      --auth-root-authentication-method=socket >"$STATE/log/mariadb-install.log" 2>&1 \
      || die "mariadb-install-db failed; see $STATE/log/mariadb-install.log"
  fi
  # --no-defaults: the system's my.cnf (port 3306, its own socket) is not ours to use.
  mariadbd --no-defaults --user=mysql --datadir="$db/data" --bind-address=127.0.0.1 --port="$DB_PORT" \
    --socket="$db/mysqld.sock" --pid-file="$db/mariadbd.pid" --log-error="$db/mariadbd.log" \
    </dev/null >/dev/null 2>&1 9>&- &
  wait_for 30 mariadbd mariadb --no-defaults --socket="$db/mysqld.sock" -e "SELECT 1"
  mariadb --no-defaults --socket="$db/mysqld.sock" <<EOF
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
EOF
}

start_slurm() {
  if ! alive "$STATE/slurmdbd.pid"; then
    slurmdbd 9>&-
    wait_for 30 slurmdbd sacctmgr -n list cluster
  fi
  if ! sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
    sacctmgr -i add cluster "$CLUSTER" >/dev/null
  fi
  if alive "$STATE/slurmctld.pid"; then
    # Running already: a configuration this script has changed since takes effect now.
    [ "$CHANGED" = 0 ] || scontrol reconfigure
  else
    slurmctld 9>&-
  fi
  wait_for 30 slurmctld scontrol ping
  alive "$STATE/slurmd.pid" || slurmd 9>&-
  # The node is usable once sinfo says so (idle, or busy with someone's job).
  wait_for 30 "the node" sh -c 'sinfo -h -N -o %t | grep -Eq "^(idle|mix|alloc)"'
}

stop_pids() {  # stop_pids PIDFILE...: SIGTERM to each live one, wait for all (15 s), then SIGKILL
  local file pid i pids=()
  for file in "$@"; do
    if alive "$file"; then
      pid=$(cat "$file")
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$file"
  done
  for ((i = 0; i < 150; i++)); do
    local left=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} = 0 ] && return 0
    sleep 0.1
  done
  echo "local-slurm.sh: ${left[*]} did not stop within 15s; killing" >&2
  kill -9 "${left[@]}" 2>/dev/null || true
}

# One start or stop at a time (two test runs, say): they would race for the same daemons.
# (The daemons are started with fd 9 closed, so that they do not hold the lock.)
if [ "${1:-}" = start ] || [ "${1:-}" = stop ]; then
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock 9
fi

case "${1:-}" in
  start)
    check_tools
    configure
    start_munge
    start_db
    start_slurm
    echo "local-slurm.sh: cluster $CLUSTER is up ($(sinfo -h -o '%P %D node(s) %c CPUs' | head -n 1)); stop it with: $0 stop"
    ;;
  stop)
    # The node and the controller first, then accounting, then what accounting needs.
    stop_pids "$STATE/slurmd.pid" "$STATE/slurmctld.pid"
    stop_pids "$STATE/slurmdbd.pid"
    stop_pids "$STATE/db/mariadbd.pid" "$STATE/munge/munged.pid"
    echo "local-slurm.sh: stopped"
    ;;
  status)
    for d in slurmd slurmctld slurmdbd db/mariadbd munge/munged; do
      if alive "$STATE/$d.pid"; then echo "${d#*/}: running ($(cat "$STATE/$d.pid"))"; else echo "${d#*/}: stopped"; fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
