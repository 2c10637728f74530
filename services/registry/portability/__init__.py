"""A producer's own data as a zip, for portability (`exportMyData`, `server.py export --producer ID`):
`data` reads it (products, lots, locations, label runs; the events as an EPCIS 2.0 document in which every
lot of another producer is redacted), `job` registers the background job whose child process writes the
zip (`archive`)."""
