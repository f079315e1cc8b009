#!/bin/sh
# Runs once, when PostgreSQL initialises an empty data volume (/docker-entrypoint-initdb.d): the role K2
# connects as owns its own database and nothing more — not a superuser, cannot create roles or databases.
# The catalog, watermarks, audit log and Quartz tables are created by K2 in that database.
set -eu
role="${K2_POSTGRES_USER:-k2}"
database="${K2_POSTGRES_DB:-k2}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
  -v role="${role}" -v database="${database}" -v password="${K2_POSTGRES_PASSWORD}" <<'SQL'
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
