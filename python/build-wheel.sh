#!/bin/sh
# Builds the Python wheel with the shipped models inside it (claimscope/models), so that an
# installed package classifies, groups stories and matches wherever it runs, not only inside
# a source checkout. maturin packs what is in the package folder and honours .gitignore, so
# the models are copied in for the build and removed after it, not kept there or ignored.
#
#   python/build-wheel.sh [OUT_DIR]      (default dist/; MATURIN names the maturin to run,
#                                         WHEEL_PROFILE the cargo profile: release unless set)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
out=${1:-$root/dist}
bundle="$here/claimscope/models"
rm -rf "$bundle"
trap 'rm -rf "$bundle"' EXIT
trap 'exit 130' INT TERM
cp -R "$root/models" "$bundle"
"${MATURIN:-maturin}" build --quiet --profile "${WHEEL_PROFILE:-release}" -m "$here/Cargo.toml" -o "$out"
