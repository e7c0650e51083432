#!/bin/sh
# Installs what Berth needs on a fresh Debian machine, once: the guest
# toolchain from Debian (clang, lld, wasi-libc, binaryen) and the npm packages;
# with --browser also Debian's Chromium, for the browser tests; with --bench
# Chromium and busybox-static (the root filesystem of the native floor); the
# docker client (Debian's docker.io, never its daemon) for the API's tests.
# Safe to run every time: it only acts on what is missing.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v wasm-ld >/dev/null 2>&1 || need="$need lld"
command -v llvm-ar-14 >/dev/null 2>&1 || need="$need llvm"
command -v wasm-opt >/dev/null 2>&1 || need="$need binaryen"
command -v xz >/dev/null 2>&1 || need="$need xz-utils"
[ -f /usr/lib/wasm32-wasi/libc.a ] || need="$need wasi-libc"
ls /usr/lib/llvm-14/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || need="$need libclang-rt-14-dev-wasm32"
# toybox: its source comes from Debian's source package (apt-get source needs
# dpkg-dev and the archive keyring); its generators build with a host cc and make.
command -v dpkg-source >/dev/null 2>&1 || need="$need dpkg-dev"
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need="$need debian-archive-keyring"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
# The API's tests drive `berth daemon` with the official docker client: Debian's
# docker.io brings it. Its daemon is never started (see policy-rc.d below).
command -v docker >/dev/null 2>&1 || need="$need docker.io"
if [ "${1:-}" = "--browser" ] || [ "${1:-}" = "--bench" ]; then
  [ -x /usr/bin/chromium ] || need="$need chromium"
fi
if [ "${1:-}" = "--bench" ]; then
  # Debian's plain busybox package is dynamically linked: it cannot run in an empty chroot.
  dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
fi

if [ -n "$need" ]; then
  echo "bootstrap: installing$need" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d answering 101 is Debian's way to keep packages from starting services (dockerd).
  policy=""
  case "$need" in *docker.io*)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
      $sudo chmod 755 "$policy"
    fi
  esac
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
  [ -z "$policy" ] || $sudo rm -f "$policy"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
