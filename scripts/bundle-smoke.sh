#!/usr/bin/env bash
# Smoke test of the PyInstaller bundle (#16) as a booth PC would run it: no venv, no
# checkout on the path, a fresh HOME. Usage: bash scripts/bundle-smoke.sh [dist/Gatepost]
#   1. Gatepost --version            (and its cold-start time)
#   2. Gatepost decode QR.png        (tests/fixtures/bundle_smoke_qr.png, made with
#      segno.make("https://jkm.example.invalid/v?t=GREEN-1", error="m").save(p, scale=8))
#   3. Gatepost desk-replay SCRIPT --data-dir DIR   (a green pass at 36.5 is recorded)
#   4. the window under xvfb-run for 20 s: "window shown" in gatepost.log, no ERROR or
#      Traceback there, and no OpenCV / Qt multimedia / audio chatter on the terminal
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "${1:-$repo/dist/Gatepost}" && pwd)
exe="$bundle/Gatepost"
[ -x "$exe" ] || { echo "bundle-smoke: no $exe (run make bundle)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
cd "$work"
# a clean environment: the system PATH only, no PYTHONPATH, no venv, no GATEPOST_* settings
# shellcheck disable=SC2086
run() { env -i HOME="$work/home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 ${DISPLAY:+DISPLAY=$DISPLAY} "$@"; }
fail() { echo "bundle-smoke: FAIL: $*"; exit 1; }

start=$(date +%s.%N)
version=$(run "$exe" --version)
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "$version" | grep -q "Gatepost" || fail "--version printed: $version"
echo "bundle-smoke: --version -> $version (${took} s)"

out=$(run "$exe" decode "$repo/tests/fixtures/bundle_smoke_qr.png" --data-dir "$work/decode")
echo "$out" | grep -q '"text": "https://jkm.example.invalid/v?t=GREEN-1"' || fail "decode: $out"
echo "$out" | grep -q '"kind": "healthcode"' || fail "decode kind: $out"
echo "bundle-smoke: decode ok"

cat >"$work/replay.jsonl" <<'JSONL'
# a green code, 36.5 typed, Enter: one passage
{"t": 0, "scan": "https://jkm.example.invalid/v?t=GREEN-1", "color": "green"}
{"t": 1, "type": "365"}
{"t": 2, "key": "Enter"}
JSONL
out=$(run "$exe" desk-replay "$work/replay.jsonl" --data-dir "$work/replay")
last=$(echo "$out" | tail -n 1)
echo "$last" | grep -q '"decision": "pass"' || fail "desk-replay: $out"
echo "$last" | grep -q '"temperature": 36.5' || fail "desk-replay temperature: $out"
[ -f "$work/replay/gatepost.db" ] || fail "desk-replay wrote no database"
echo "bundle-smoke: desk-replay ok"

command -v xvfb-run >/dev/null || fail "xvfb-run missing (scripts/system-deps.txt)"
data="$work/gui"
start=$(date +%s.%N)
set +e
run xvfb-run -a timeout -s TERM 20 "$exe" gui --data-dir "$data" >"$work/gui.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 124 ] || { cat "$work/gui.out"; fail "the window exited early (rc=$rc)"; }
log="$data/gatepost.log"
[ -f "$log" ] || fail "no $log"
if grep -nE "ERROR|CRITICAL|Traceback" "$log"; then fail "errors in gatepost.log"; fi
shown=$(grep -m1 "window shown" "$log" | cut -c1-23 | tr , .) || true
[ -n "$shown" ] || { cat "$log"; fail "the window was never shown"; }
first_frame=$(awk -v a="$start" -v b="$(date -d "$shown" +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
if grep -niE "opencv|videoio|qt\.multimedia|libva|pulse|alsa|Traceback" "$work/gui.out"; then
  fail "noise on the terminal (above)"
fi
echo "bundle-smoke: window ok, first frame after ${first_frame} s (includes Xvfb start-up)"
echo "bundle-smoke: size $(du -sh "$bundle" | cut -f1)"
echo "bundle-smoke: PASS"
