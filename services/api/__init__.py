"""The API's own records, outside any one domain: trusted documents (`trusted_documents`)."""
