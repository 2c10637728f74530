#!/usr/bin/env bash
# Re-fetch GraphiQL's browser assets from the npm registry into static/graphiql/ and write
# static/graphiql/manifest.json (versions, sizes, sha384 integrity). `make graphiql-assets`.
# The explorer page (web/graphql.py) reads the manifest; tests hold the files to it.
set -euo pipefail
GRAPHIQL=3.8.3
REACT=18.3.1
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
OUT=$(cd "$(dirname "$0")/.." && pwd)/static/graphiql
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

fetch() {  # package version path-in-tarball vendored-name
    local tgz="$TMP/$1-$2.tgz"
    [[ -f $tgz ]] || curl -fsSL "$REGISTRY/$1/-/$1-$2.tgz" -o "$tgz"
    tar -xzf "$tgz" -C "$TMP" "package/$3" --to-stdout > "$OUT/$4"
    printf '%s\t%s\t%s\t%s\n' "$4" "$1" "$2" "$3" >> "$TMP/list"
}
mkdir -p "$OUT"
rm -f "$OUT"/*.min.js "$OUT"/*.min.css
fetch react "$REACT" umd/react.production.min.js "react-$REACT.production.min.js"
fetch react-dom "$REACT" umd/react-dom.production.min.js "react-dom-$REACT.production.min.js"
fetch graphiql "$GRAPHIQL" graphiql.min.js "graphiql-$GRAPHIQL.min.js"
fetch graphiql "$GRAPHIQL" graphiql.min.css "graphiql-$GRAPHIQL.min.css"

python3 - "$TMP/list" "$OUT" "$REGISTRY" <<'PY'
import base64, hashlib, json, pathlib, sys
rows = [line.split("\t") for line in pathlib.Path(sys.argv[1]).read_text().splitlines()]
out = pathlib.Path(sys.argv[2])
assets = []
for name, package, version, source in rows:
    data = (out / name).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assets.append({"file": name, "package": package, "version": version, "source": f"{package}@{version}/{source}",
                   "tarball": f"{sys.argv[3]}/{package}/-/{package}-{version}.tgz",
                   "bytes": len(data), "integrity": f"sha384-{digest}"})
manifest = {"note": "Written by scripts/vendor_graphiql.sh; do not edit by hand.", "assets": assets}
(out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
PY
ls -l "$OUT"
