"""The printed fair catalog: `data.load_catalog()` reads a snapshot of a fair (plain, picklable values),
`render.render_catalog()` turns it into a PDF with WeasyPrint. Nothing is imported here, so that the
server can load a snapshot without importing WeasyPrint (the job runner renders in a child process)."""
