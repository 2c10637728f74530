"""Backups, restores and their verification (docs/operators.md, "Backup and restore").

- `database`: the database's copy: `pg_dump --format=custom` of the PostgreSQL database (or of its schema)
  restored by `pg_restore` into a fresh database; SQLite's online backup API.
- `files`: the manifest of the stored files (every file under OCOP_MEDIA_DIR with its size and sha256)
  and the one function through which their bytes are read (`read_stored`).
- `verify`: every lot's hash chain (services/trace/integrity.py) and every stored file's checksum,
  against its content-addressed name, the `stored_file` rows and a backup's manifest.
- `archive`: a backup directory as a whole (`backup`, `restore`), what `server.py backup|restore|verify`
  run.
"""
