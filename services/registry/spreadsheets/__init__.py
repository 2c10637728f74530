"""Coordination offices' spreadsheets (issue 19): the registry template (`template`), reading an uploaded
.xlsx or CSV (`parse`, in a job's child process), checking its rows against the rules and the database
(`validate`), writing them all or nothing (`apply`), writing the registry out (`export`), the uploaded files
(`uploads`) and the two job kinds (`job`). docs/coordination.md describes the template."""
