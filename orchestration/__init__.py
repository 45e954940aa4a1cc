"""Dagster definitions for lapak: ingestion assets, dbt assets, quality checks, jobs."""
