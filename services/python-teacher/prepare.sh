#!/usr/bin/env bash
# Prepares everything the Python teacher worker needs, without root and without PyPI:
#   <dest>/site/       Debian 12's python3-redis and python3-protobuf (and their pure-Python dependencies), fetched with
#                      `apt-get download` into a private apt state folder and unpacked with `dpkg-deb -x`
#                      (the pattern of build/fetch-redis-server.sh); put it on PYTHONPATH.
#   <dest>/activesynth.pb   a FileDescriptorSet of protos/activesynth/v1/*.proto (with imports), written by protoc; the worker
#                      builds its message classes from it at run time, so no generated code has to match the protobuf runtime.
# Usage: prepare.sh <dest> <protoc> <protoc include dir>   (dest default <repo>/.tools/python-teacher)
# Idempotent: the packages are fetched once (skipped while they import), the descriptor set is rewritten every time (cheap).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dest=${1:-"$repo/.tools/python-teacher"}
protoc=${2:-${PROTOBUF_PROTOC:-}}
include=${3:-}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

fail() {
  cat >&2 <<MSG
error ACTIVESYNTH002: could not prepare the Python teacher worker: $1
It needs python3 (3.9 or later) with redis and protobuf importable. Choose one of:
  - let the build fetch Debian's python3-redis and python3-protobuf: needs apt-get and dpkg-deb (Debian/Ubuntu) and the Debian mirror
  - install them: sudo apt-get install -y python3-redis python3-protobuf   (or pip install redis protobuf)
MSG
  exit 1
}

python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || fail "$python is not on PATH"

# One preparation at a time (projects build in parallel).
exec 9>"$dest/.lock"
flock 9

site="$dest/site"
check_imports() {
  PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python \
    "$python" -c 'import redis, google.protobuf.descriptor_pool, google.protobuf.message_factory' >/dev/null 2>&1
}

if ! check_imports; then
  command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available on this machine"
  command -v dpkg-deb >/dev/null 2>&1 || fail "dpkg-deb is not available on this machine"
  work="$dest/.apt"
  rm -rf "$work" "$dest/root" "$site"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$dest/root"
  apt_opts=(-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "Debug::NoLocking=1"
            -o "APT::Sandbox::User=$(id -un)" -q)
  echo "fetching Debian's python3-redis and python3-protobuf into $dest (no root needed)"
  apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1 || fail "apt-get update failed (see $work/update.log)"
  # python3-redis 4.3 imports async_timeout, deprecated (-> wrapt), packaging and typing_extensions.
  packages=(python3-redis python3-protobuf python3-async-timeout python3-deprecated python3-wrapt python3-packaging python3-typing-extensions)
  (cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >"$work/download.log" 2>&1) \
    || fail "apt-get download ${packages[*]} failed (see $work/download.log)"
  for deb in "$work/debs"/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
  ln -s "$dest/root/usr/lib/python3/dist-packages" "$site"
  check_imports || fail "redis or protobuf does not import from $site with $python ($("$python" --version 2>&1))"
  rm -rf "$work"
fi

# Found elsewhere (installed system-wide, or on PYTHONPATH): the folder still exists, empty, so callers can always put it on PYTHONPATH.
[ -e "$site" ] || mkdir -p "$site"

if [ -n "$protoc" ]; then
  [ -x "$protoc" ] || chmod +x "$protoc" 2>/dev/null || true
  [ -x "$protoc" ] || fail "protoc at $protoc is not executable"
  args=(--include_imports "--descriptor_set_out=$dest/activesynth.pb.tmp" "-I$repo/protos")
  [ -n "$include" ] && args+=("-I$include")
  "$protoc" "${args[@]}" "$repo"/protos/activesynth/v1/*.proto || fail "protoc could not compile protos/activesynth/v1/*.proto"
  mv "$dest/activesynth.pb.tmp" "$dest/activesynth.pb"
elif [ ! -f "$dest/activesynth.pb" ]; then
  fail "no protoc given (argument 2 or PROTOBUF_PROTOC) and no $dest/activesynth.pb yet"
fi
echo "python teacher ready: PYTHONPATH=$site PythonTeacher__Descriptors=$dest/activesynth.pb"
