{#-
    on-run-end: end dbt's DuckDB session with a checkpoint, so that what it wrote is in the database file,
    not in the write-ahead log, when dbt exits (it took 16.5 s at the end of the 5M facts step). It was added
    for a memory spike in the pipeline's process right after that step; the eighth measurement showed the
    spike was not a WAL replay but DuckDB's checkpoint when lapak's build-record connection closes, now
    capped in orchestration/windows.py (docs/performance.md). Elsewhere this does nothing.
-#}
{% macro checkpoint_warehouse() -%}
    {{ return(adapter.dispatch('checkpoint_warehouse', 'lapak')()) }}
{%- endmacro %}

{% macro default__checkpoint_warehouse() -%}
{%- endmacro %}

{% macro duckdb__checkpoint_warehouse() -%}
    checkpoint
{%- endmacro %}
