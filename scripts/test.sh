#!/usr/bin/env bash
# The test command: installs what is missing, then runs the whole suite against real parts
# (embedded ClickHouse, the Kafka mock cluster, PostgreSQL 15, s3rver).
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~K2.Tests.Kafka"
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-test-deps.sh
rm -rf TestResults
dotnet test K2.Monolith.sln -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory TestResults "$@"
