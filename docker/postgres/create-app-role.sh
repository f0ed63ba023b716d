#!/bin/sh
# Run once by the postgres image, when it first initialises its data volume, as
# POSTGRES_USER: the database's owner, who runs the migrations and owns every table
# and the audit trail's triggers. This creates the second role, the one web, worker
# and beat log in as (POSTGRES_APP_USER): a plain login that owns nothing. What it
# may do is granted after each migrate by `manage.py grant_app_role` (the `migrate`
# service runs it). A volume initialised before this script existed needs the role
# made once by hand: see README.md, "Database roles".
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_user="$POSTGRES_APP_USER" -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app_user', :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
-- Objects in the database are created by the owner alone (PostgreSQL 15+ already
-- says so for the public schema; stated here for older servers too).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
