#!/bin/sh
# build.sh DIR [MESON OPTIONS...]: configure DIR once with the options, then build.
set -eu
dir=$1
shift
cd "$(dirname "$0")/.."
if [ ! -f "$dir/build.ninja" ]; then
	log=$(mktemp)
	if ! meson setup "$dir" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
fi
ninja -C "$dir" >/dev/null || ninja -C "$dir"
