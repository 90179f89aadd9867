#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest. The console (ttyS0) carries what a human reads;
# ttyS1 carries one machine-readable record per line for the host
# (scripts/judge.py): @BEGIN, @LOAD, @START, @RESULT, @EXIT, @UNLOAD, @TAINT,
# @KMEMLEAK, @DMESG lines and @END. Options come from the kernel command line:
#   ph.tests=GLOB[,GLOB]  test programs to run (default: all)
#   ph.timeout=SECONDS    per-program timeout (default 300)
#   ph.mode=check|shell|demo|bench[REPS]|selftest-fail|selftest-hang|selftest-timeout|
#           selftest-screen|selftest-prog-NAME|selftest-module-WHAT

/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug

TESTS='*'
TIMEOUT=300
MODE=check
for arg in $(cat /proc/cmdline); do
	case $arg in
	ph.tests=*) TESTS=${arg#ph.tests=} ;;
	ph.timeout=*) TIMEOUT=${arg#ph.timeout=} ;;
	ph.mode=*) MODE=${arg#ph.mode=} ;;
	esac
done

R=/dev/ttyS1
stty -F $R raw -echo 2>/dev/null	# records travel as plain "\n" lines
emit() { echo "$*" >$R; }
say() { echo "guest: $*"; }

emit "@BEGIN $(cat /etc/ph/kernel) $(uname -r)"
KMEMLEAK=/sys/kernel/debug/kmemleak
# Forget what boot itself left behind: only leaks made by the tests count.
[ -w $KMEMLEAK ] && { echo scan >$KMEMLEAK; echo clear >$KMEMLEAK; }
DMA_API=/sys/kernel/debug/dma-api
# dma-debug prints only its first report unless told otherwise; its count
# is sent at the end (@DMAAPI) either way.
[ -w $DMA_API/all_errors ] && echo 1 >$DMA_API/all_errors

# load DIR FILE [PARAM=VALUE...]: also passes MODULE.PARAM=VALUE arguments of
# the kernel command line, as modprobe would (a boot kind sets them).
load() {
	dir=$1 file=$2
	shift 2
	for arg in $(cat /proc/cmdline); do
		case $arg in "${file%.ko}".*=*) set -- "$@" "${arg#"${file%.ko}".}" ;; esac
	done
	if insmod "$dir/$file" "$@" 2>/tmp/insmod.err; then
		emit "@LOAD ok $file"
	else
		emit "@LOAD fail $file $(cat /tmp/insmod.err)"
		say "loading $file failed: $(cat /tmp/insmod.err)"
	fi
}
while read -r m; do load /lib/modules/stock $m; done </etc/ph/stock-modules
while read -r m; do load /lib/modules/ours $m; done </etc/ph/our-modules

# The pressure boot (ph.pressure=1): zram swap and the cgroup2 memory
# controller, for the pressure_* programs, which run only here.
PRESSURE=0
grep -q 'ph.pressure=1' /proc/cmdline && PRESSURE=1
if [ $PRESSURE = 1 ]; then
	while read -r m; do load /lib/modules/stock $m; done </etc/ph/pressure-modules
	# 3 GiB of swap space for a 1 GiB guest: pressure_working_set keeps three
	# times the RAM mapped. The size is virtual; zram takes memory only for
	# what it stores, compressed (those pages compress well). The debug
	# line swaps to a virtio disk instead (ph.swap=disk, run-guest.sh).
	swap=/dev/zram0
	if grep -q 'ph.swap=disk' /proc/cmdline; then
		swap=/dev/vda
	else
		echo 3G >/sys/block/zram0/disksize
	fi
	if mkswap $swap >/dev/null && swapon $swap && mount -t cgroup2 cgroup2 /sys/fs/cgroup &&
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control; then
		emit "@LOAD ok pressure-setup"
		say "pressure boot: swap on $swap ($(awk 'NR == 2 { print $3 }' /proc/swaps) KiB), memory cgroups on"
	else
		emit "@LOAD fail pressure-setup swap on $swap or the memory cgroup could not be set up"
	fi
fi

# A program's output goes to the console; its subtest lines become records.
run_program() {
	prog=$1
	name=$(basename "$prog")
	emit "@START $name"
	say "running $name"
	timeout -s KILL "$TIMEOUT" "$prog" >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	sed -n 's/^Subtest \([^:]*\): \([A-Z]*\).*/@RESULT '"$name"' \1 \2/p' /tmp/out >$R
	emit "@EXIT $name $rc"
}

selected() {
	# pressure_* programs (and the benchmarks perf_pressure_*) run in the
	# pressure boot and only there.
	case $1 in
	pressure_* | perf_pressure_*) [ $PRESSURE = 1 ] || return 1 ;;
	*) [ $PRESSURE = 0 ] || return 1 ;;
	esac
	set -f	# the globs are patterns for case, not for the filesystem
	for g in $(echo "$TESTS" | tr , ' '); do
		# shellcheck disable=SC2254 # $g is a pattern on purpose
		case $1 in $g) set +f; return 0 ;; esac
	done
	set +f
	return 1
}

case $MODE in
shell)
	say "modules loaded; tests are in /tests, 'poweroff -f' leaves"
	setsid cttyhack sh
	;;
check)
	n=0
	for t in /tests/*; do
		selected "$(basename "$t")" || continue
		run_program "$t"
		n=$((n + 1))
	done
	emit "@SELECTED $n $TESTS"
	;;
demo)
	# The demo programs narrate on the console and ask the host for their
	# screen captures themselves.
	for d in /demo/*; do
		"$d" 2>&1
		emit "@EXIT $(basename "$d") $?"
	done
	;;
bench*)
	# make bench: every /perf program on our driver and on the stock vgem,
	# alternately, REPS times (default 5); the order flips each repetition
	# (A B, B A, ...) so a drift of the machine's load hits both alike.
	# @BENCH REP DRIVER METRIC UNIT BETTER VALUE records go to the host.
	reps=${MODE#bench}
	reps=${reps:-5}
	say "bench: $reps repetitions of" /perf/*
	rep=1
	while [ $rep -le "$reps" ]; do
		order="ph_vgem vgem"
		[ $((rep % 2)) = 0 ] && order="vgem ph_vgem"
		for p in /perf/*; do
			name=$(basename "$p")
			selected "$name" || continue
			for drv in $order; do
				emit "@START $name $drv $rep"
				timeout -s KILL "$TIMEOUT" "$p" "$drv" >/tmp/out 2>&1
				rc=$?
				cat /tmp/out
				sed -n "s/^@BENCH /@BENCH $rep $drv /p" /tmp/out >$R
				emit "@BENCHEXIT $name $drv $rep $rc"
			done
		done
		rep=$((rep + 1))
	done
	;;
selftest-fail) run_program /selftests/bench_selftest_fail ;;
selftest-timeout) run_program /selftests/bench_selftest_hang ;;
selftest-screen) run_program /selftests/bench_selftest_screen ;;
selftest-prog-*) run_program "/selftests/bench_selftest_${MODE#selftest-prog-}" ;;
selftest-module-*)
	load /selftests ph_selftest_misuse.ko "what=${MODE#selftest-module-}"
	echo ph_selftest_misuse.ko >>/etc/ph/our-modules	# it must unload too
	;;
selftest-hang)
	say "bench self-test: hanging on purpose"
	while :; do sleep 3600; done
	;;
esac

# Our modules must unload: a leaked reference keeps them in.
tac /etc/ph/our-modules | while read -r m rest; do
	mod=${m%.ko}
	if rmmod "$mod" 2>/tmp/rmmod.err; then
		emit "@UNLOAD ok $mod"
	else
		emit "@UNLOAD fail $mod $(cat /tmp/rmmod.err)"
		say "unloading $mod failed: $(cat /tmp/rmmod.err)"
	fi
done

if [ -w $KMEMLEAK ]; then
	say "kmemleak scan"
	echo scan >$KMEMLEAK
	sleep 1
	echo scan >$KMEMLEAK
	sed 's/^/@KMEMLEAK /' $KMEMLEAK >$R
fi
emit "@TAINT $(cat /proc/sys/kernel/tainted)"
# Lockdep switches itself off after its first report, or when something else
# taints its view; either way the rest of the run went unchecked.
[ -r /proc/lockdep_stats ] && emit "@LOCKDEP $(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)"
[ -r $DMA_API/error_count ] && emit "@DMAAPI $(cat $DMA_API/error_count) $(cat $DMA_API/disabled)"
# The data-race detector's own counters (kcsan line): proof that it watched.
[ -r /sys/kernel/debug/kcsan ] && emit "@KCSAN $(sed -n 's/^\([a-z_]*\): \([0-9-]*\)$/\1=\2/p' /sys/kernel/debug/kcsan | tr '\n' ' ')"
dmesg | sed 's/^/@DMESG /' >$R
emit "@END"
sync
poweroff -f
