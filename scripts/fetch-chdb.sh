#!/usr/bin/env bash
# Fetches libchdb.so (the ClickHouse engine as a shared library) for embedded mode and tests.
# Idempotent: returns at once when the pinned version is already in the cache.
set -euo pipefail

version="26.7.3-stable.1"
package="@chdb/lib-linux-x64-gnu@${version}"
tarball_sha256="c0d32b129e988f2b9a9a31c9141aecf5e1e2453f9a079efc4d36ab8e3f92b2ad"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/k2/chdb/${version}"
marker="${cache_dir}/.verified-${tarball_sha256}"

if [[ -f "${cache_dir}/libchdb.so" && -f "${marker}" ]]; then
  echo "libchdb ${version}: ${cache_dir}/libchdb.so"
  exit 0
fi

command -v npm >/dev/null || { echo "npm is required to fetch libchdb (apt-get install npm)" >&2; exit 1; }
mkdir -p "${cache_dir}"
work="$(mktemp -d "${cache_dir}/fetch.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

echo "fetching ${package} ..."
(cd "${work}" && npm pack --silent "${package}" >/dev/null)
tarball="$(ls "${work}"/*.tgz)"
actual="$(sha256sum "${tarball}" | cut -d' ' -f1)"
if [[ "${actual}" != "${tarball_sha256}" ]]; then
  echo "checksum mismatch for ${package}: expected ${tarball_sha256}, got ${actual}" >&2
  exit 1
fi

tar -xzf "${tarball}" -C "${work}" package/libchdb.so
mv -f "${work}/package/libchdb.so" "${cache_dir}/libchdb.so.tmp"
mv -f "${cache_dir}/libchdb.so.tmp" "${cache_dir}/libchdb.so"
touch "${marker}"
echo "libchdb ${version}: ${cache_dir}/libchdb.so"
