#!/usr/bin/env bash
# Installs what the test suite needs and is missing: Debian packages (PostgreSQL 15, kcat,
# promtool and amtool, docker-compose for `docker-compose config`, systemd-analyze for the unit checks, chromium
# for the web console's browser test),
# s3rver, iceberg-js and @clickhouse/client from npm, and libchdb. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || need_apt+=(postgresql-15)
command -v kcat >/dev/null || need_apt+=(kcat)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v amtool >/dev/null || need_apt+=(prometheus-alertmanager)
command -v npm >/dev/null || need_apt+=(npm)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
command -v systemd-analyze >/dev/null || need_apt+=(systemd)
[[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${need_apt[*]} (run as root, or: sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The prometheus packages start servers; the tests only need promtool and amtool.
  for server in prometheus prometheus-alertmanager; do
    if [[ " ${need_apt[*]} " == *" ${server} "* ]]; then
      (systemctl stop "${server}" 2>/dev/null || service "${server}" stop 2>/dev/null || pkill -x "${server}") >/dev/null 2>&1 || true
    fi
  done
fi

# npm packages, pinned: s3rver (test S3 endpoint) and the clients of the catalog and HTTP-interface tests.
# One install command for all of them: npm removes what a later --no-save install does not name.
npm_dir="${XDG_CACHE_HOME:-$HOME/.cache}/k2/npm"
npm_packages=(s3rver@3.7.1 iceberg-js@1.0.0 @clickhouse/client@1.23.1)
npm_missing=0
for package in "${npm_packages[@]}"; do
  name="${package%@*}"
  version="${package##*@}"
  installed=$(node -p "require('${npm_dir}/node_modules/${name}/package.json').version" 2>/dev/null || true)
  [[ "${installed}" == "${version}" ]] || npm_missing=1
done
if ((npm_missing)); then
  mkdir -p "${npm_dir}"
  (cd "${npm_dir}" && npm install --silent --no-audit --no-fund --no-save "${npm_packages[@]}" >/dev/null)
fi

scripts/fetch-chdb.sh
