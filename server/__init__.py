"""The subdistrict sync server: ingest from gates (HTTP and USB bundles), the officer's page."""
