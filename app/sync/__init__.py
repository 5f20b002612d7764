"""Sync: the gate's outbox to the subdistrict server, online (HTTP) or by USB bundle."""
