#!/bin/sh
# The image's entrypoint: `docker run IMAGE worker` runs `python server.py worker`; any server.py command
# (serve, worker, migrate, create-admin, demo, labels, catalog, report, reminders, trusted-documents,
# export-schema, backup, restore, verify, export, storage, trace-snapshots) goes to server.py, anything else is run as it is (`docker run IMAGE sh`).
set -eu
cd /app
case "${1:-serve}" in
  serve|worker|migrate|demo|export-schema|labels|catalog|report|reminders|create-admin|trusted-documents|backup|restore|verify|export|storage|trace-snapshots|-h|--help)
    exec python /app/server.py "$@" ;;
  *)
    exec "$@" ;;
esac
