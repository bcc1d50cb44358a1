# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced after lab.sh: cycles of the planned sequence driven only by the
# scripts (tools/migrate/duonet-migrate-host on the host, duonet-migrate in
# the guest), under ping every 2 ms from the peer, with the loss of every
# step counted on the peer.
#
# SCRIPT_CYCLES_HOST: the host script to run (default the tree's; the image
# test runs the one the duonet-host package installs).
# SCRIPT_CYCLES_GUEST_EXEC: reach the guest through its qemu-guest-agent with
# this duonet-guest-exec (the image test: the package's), not the lab's
# agent.

# The guest command for duonet-migrate-host --guest, for guest NAME.
script_cycles_guest() {
	if [ -n "${SCRIPT_CYCLES_GUEST_EXEC:-}" ]; then
		echo "$SCRIPT_CYCLES_GUEST_EXEC --qga $LAB_DIR/$1.qga"
	else
		echo "$LAB_GEXEC $LAB_DIR/$1.agent"
	fi
}

# script_cycles_run MODE CYCLES: MODE replug (prepare, VF unplug, plug, resume)
# or migrate (prepare, VF unplug, live migration to a new QEMU, VF plug on
# the destination, resume). Needs the guest $G up with duo0 on the VF and
# the lab's address; in migrate mode $G is the destination at the end.
# Prints per cycle each step's time and loss, then a summary; sets
#   SCRIPT_CYCLES_OTHER_LOST  packets lost in all steps but the migration itself
#   SCRIPT_CYCLES_MIG_EXCESS  worst (lost in a migration - (pause/2 + 4)), the
#                       pause the larger of paused_ms (qmp.py migrate
#                       --dst) and QEMU's downtime_ms: > 0 means more was
#                       lost than the guest's pause explains
#   SCRIPT_CYCLES_SENT        probes sent during the cycles
script_cycles_run() {
	local mode=$1 cycles=$2 c dst out meter_pid steps reports i=1
	local LAB_G_KREL LAB_G_VF LAB_G_VFDEV LAB_G_IMAGE="" LAB_G_SEED=""
	local -a opts
	[ "$mode" = replug ] || [ "$mode" = migrate ] || lab_die "script_cycles_run replug|migrate N"
	lab_meter_start cycles icmp -i 2
	meter_pid=$(cat "$LAB_DIR/cycles.meter.pid")
	sleep 1
	lab_meter_mark cycles
	for ((c = 1; c <= cycles; c++)); do
		# shellcheck disable=SC1090
		. "$LAB_DIR/$G.env"
		opts=(--qmp "$LAB_DIR/$G.qmp" --guest "$(script_cycles_guest "$G")"
		      --vf-id vf0 --vf-device "$LAB_G_VFDEV"
		      --on-step "sleep 0.3; kill -USR1 $meter_pid")
		if [ "$mode" = migrate ]; then
			dst=m$c
			lab_boot "$dst" --kernel "$LAB_G_KREL" --vf "$LAB_G_VF" --no-vf \
				${LAB_G_IMAGE:+--image "$LAB_G_IMAGE"} ${LAB_G_SEED:+--seed "$LAB_G_SEED"} \
				--slot $((c % 2)) --incoming "unix:$LAB_DIR/$dst.mig"
			opts+=(--dst-qmp "$LAB_DIR/$dst.qmp" --uri "unix:$LAB_DIR/$dst.mig"
			       --dst-guest "$(script_cycles_guest "$dst")"
			       --settle-ms 1400 --quit-source)
		fi
		if ! "${SCRIPT_CYCLES_HOST:-$LAB_TOP/tools/migrate/duonet-migrate-host}" "$mode" "${opts[@]}" \
			> "$LAB_DIR/cycles.$c.out"; then
			cat "$LAB_DIR/cycles.$c.out" >&2
			lab_meter_stop cycles >/dev/null
			return 1
		fi
		if [ "$mode" = migrate ]; then
			while kill -0 "$(cat "$LAB_DIR/$G.pid")" 2>/dev/null; do sleep 0.1; done
			rm -f "$LAB_DIR/$G.pid"
			cp "$LAB_DIR/$G.console" "$LAB_LOGDIR/" 2>/dev/null || true
			G=$dst
		fi
	done
	sleep 1
	reports=$(lab_meter_stop cycles | grep '^sent=')
	cp "$LAB_DIR/cycles.meter" "$LAB_LOGDIR/"

	# Report line i+1 is step i (line 1: the steady traffic before).
	SCRIPT_CYCLES_OTHER_LOST=0 SCRIPT_CYCLES_MIG_EXCESS=-1000000 SCRIPT_CYCLES_SENT=0
	printf '%-6s %-8s %9s %8s %6s %5s  %s\n' cycle step start_ms ms sent lost detail
	for ((c = 1; c <= cycles; c++)); do
		steps=$(grep '^step ' "$LAB_DIR/cycles.$c.out")
		while IFS= read -r out; do
			local name start ms r sent lost detail down paused pause excess
			i=$((i + 1))
			r=$(printf '%s\n' "$reports" | sed -n "${i}p")
			name=$(printf '%s' "$out" | cut -d' ' -f2)
			start=$(lab_report_get "$out" start_ms)
			ms=$(lab_report_get "$out" ms | tr -d :)
			detail=${out#*: }
			sent=$(lab_report_get "$r" sent)
			lost=$(lab_report_get "$r" lost)
			[ -n "$lost" ] || lab_die "no meter report for cycle $c step $name"
			SCRIPT_CYCLES_SENT=$((SCRIPT_CYCLES_SENT + sent))
			if [ "$name" = migrate ]; then
				down=$(lab_report_get "$detail" downtime_ms)
				paused=$(lab_report_get "$detail" paused_ms)
				pause=$(lab_pause_ms "$detail") || exit 1
				excess=$((lost - pause / 2 - 4))
				[ "$excess" -le "$SCRIPT_CYCLES_MIG_EXCESS" ] || SCRIPT_CYCLES_MIG_EXCESS=$excess
				detail="paused ${paused} ms (QEMU downtime ${down} ms), total $(lab_report_get "$detail" total_ms) ms"
			else
				SCRIPT_CYCLES_OTHER_LOST=$((SCRIPT_CYCLES_OTHER_LOST + lost))
			fi
			printf '%-6s %-8s %9s %8s %6s %5s  %s\n' "$c" "$name" "$start" "$ms" \
				"$sent" "$lost" "$detail"
		done <<< "$steps"
	done
	printf '%s x %d: %d probes; lost outside the migrations: %d' "$mode" "$cycles" \
		"$SCRIPT_CYCLES_SENT" "$SCRIPT_CYCLES_OTHER_LOST"
	[ "$mode" = replug ] || printf '; worst migration lost %d more than paused/2 + 4' \
		"$SCRIPT_CYCLES_MIG_EXCESS"
	echo
}
