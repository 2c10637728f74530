"""The programme report: its figures (`figures`, also served by GraphQL), its charts (`charts`), the printed
document (`document`, `render`) and the job that renders it (`job`); expiry reminders (`reminders`)."""
