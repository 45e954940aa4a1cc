{#-
    dbt's `create_table_as`, with one change: on DuckDB, a full build (first, or --full-refresh) of a model
    rebuilt per shop (the `shop_replace` strategy, macros/shops.sql) writes its rows in shop order.

    A new day rebuilds one shop's rows: it deletes them, inserts them anew, and publish copies them
    (orchestration/publish.py). DuckDB skips the row groups whose shop_id range cannot hold that shop; a
    table built whole in whatever order its query gave had every shop in every row group, so each of
    those reads and deletes read all of them, until every shop had been rebuilt once. Rows written in
    shop order keep each shop in a few row groups, as per-shop rebuilds leave them.

    The incremental path's own table (the rebuilt shops' rows) is left unsorted, and other adapters get
    dbt's macro unchanged: a sort on Spark is a shuffle, and its tables are rewritten whole on every build.
-#}
{% macro create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
    {%- if target.type == 'duckdb' -%}
        {%- if language == 'sql' and config.get('incremental_strategy') == 'shop_replace' and not is_incremental() -%}
            {%- set compiled_code = 'select * from (\n' ~ compiled_code ~ '\n) as lapak_by_shop order by shop_id' -%}
        {%- endif -%}
        {{ return(adapter.dispatch('create_table_as', 'dbt')(
            temporary, relation, compiled_code, language, partitioned_by=partitioned_by, sorted_by=sorted_by
        )) }}
    {%- elif language == 'sql' -%}
        {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code)) }}
    {%- else -%}
        {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code, language)) }}
    {%- endif -%}
{%- endmacro %}
