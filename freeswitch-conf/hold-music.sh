#!/usr/bin/env bash
# Generates the hold music FreeSWITCH's local_stream "dialer_hold" plays
# (autoload_configs/local_stream.conf.xml): stock music-on-hold is a download,
# so the project makes its own, a slow loop of soft sine chords, with sox.
# 8 kHz mono 16-bit WAV: what local_stream is configured for (no resampling).
# Usage: freeswitch-conf/hold-music.sh <folder>   (idempotent)
set -euo pipefail
out=${1:?usage: hold-music.sh <folder>}
mkdir -p "$out"
file="$out/dialer-hold.wav"
[ -s "$file" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
# C major, A minor, F major, G major: three sines per chord, 2 s each, faded.
for chord in "261.6 329.6 392.0" "220.0 261.6 329.6" "174.6 220.0 261.6" "196.0 246.9 293.7"; do
  set -- $chord
  sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$tmp/c$i.wav" \
    synth 2 sine "$1" sine "$2" sine "$3" remix - fade q 0.3 2 0.3 vol 0.25
  i=$((i + 1))
done
sox -D "$tmp"/c0.wav "$tmp"/c1.wav "$tmp"/c2.wav "$tmp"/c3.wav "$tmp/hold.wav" repeat 3
mv "$tmp/hold.wav" "$file"
echo "hold music: $file"
