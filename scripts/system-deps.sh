#!/bin/sh
# Install the Debian/Ubuntu packages troubadour needs, only those that are missing.
# Idempotent and quick when everything is present (one dpkg-query call).
set -eu
# lilypond engraves the optional PDF lead sheet (--pdf); the rest are needed for every song.
PACKAGES="${TROUBADOUR_APT_PACKAGES:-fluidsynth fluid-soundfont-gm ffmpeg sox flite libflite1 lilypond}"

missing=""
for pkg in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done
# Debian's own Python needs python3-venv to make the project's .venv.
if ! "${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then
  missing="$missing python3-venv"
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "troubadour needs these system packages:$missing (install them with your package manager)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "need root to install:$missing (run: apt-get install$missing)" >&2; exit 1
  fi
fi
echo "installing system packages:$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
