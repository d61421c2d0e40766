#!/bin/sh
# The side-by-side benchmark of issue 12 in one command: installs what is
# missing (hyperfine and Taskwarrior from Debian's packages, Backlog.md from
# npm into target/bench-tools), then runs benches/compare.rs, which builds
# the release binary, generates the workload and times everything with
# hyperfine. Arguments go to the benchmark: sizes (1k 10k 100k, the
# default all three), --peers-100k (the peers at 100k too: minutes a run),
# --no-peers, --baseline DIR (an earlier run's target/bench-compare, for
# the cold target). The Markdown report goes to stdout and to
# target/bench-compare/report.md; raw JSON to target/bench-compare/<size>/.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# As root, or through sudo when there is one.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "compare.sh: need root (or sudo) to install: $*" >&2
        exit 1
    fi
}

missing=""
command -v hyperfine >/dev/null 2>&1 || missing="$missing hyperfine"
command -v task >/dev/null 2>&1 || missing="$missing taskwarrior"
if [ -n "$missing" ]; then
    echo "compare.sh: installing$missing" >&2
    as_root apt-get update -q >&2
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q $missing >&2
fi

# Backlog.md into a prefix of its own under target/: its npm package
# brings the native binary as an optional, per-platform dependency.
tools="$root/target/bench-tools"
backlog="$tools/node_modules/.bin/backlog"
if ! "$backlog" --version >/dev/null 2>&1; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "compare.sh: installing npm" >&2
        as_root apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q npm >&2
    fi
    echo "compare.sh: installing backlog.md into $tools" >&2
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" backlog.md >&2
fi
if ! "$backlog" --version >/dev/null 2>&1; then
    echo "compare.sh: $backlog does not run (was its platform package installed?)" >&2
    exit 1
fi

echo "compare.sh: hyperfine $(hyperfine --version | cut -d' ' -f2), $(task --version | head -n1 | sed 's/^/taskwarrior /'), backlog.md $("$backlog" --version)" >&2

export BENCH_BACKLOG="$backlog"
export BENCH_COMMAND="benches/compare.sh${*:+ $*}"
exec cargo bench --bench compare -- "$@"
