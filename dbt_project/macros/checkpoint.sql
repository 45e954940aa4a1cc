{#-
    on-run-end: end dbt's DuckDB session with a checkpoint, so that what it wrote is in the database file,
    not in the write-ahead log, when dbt exits. Whether dbt-duckdb's database is closed (and checkpointed)
    at interpreter exit is not guaranteed; a WAL left behind is replayed by the next process that opens the
    warehouse: the pipeline's own, which records the build right after dbt's facts step (docs/performance.md,
    seventh measurement). Elsewhere this does nothing.
-#}
{% macro checkpoint_warehouse() -%}
    {{ return(adapter.dispatch('checkpoint_warehouse', 'lapak')()) }}
{%- endmacro %}

{% macro default__checkpoint_warehouse() -%}
{%- endmacro %}

{% macro duckdb__checkpoint_warehouse() -%}
    checkpoint
{%- endmacro %}
