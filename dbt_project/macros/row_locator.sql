{#-
    An expression that finds one row of a raw table again within a query: stg_tiktok__order_lines ranks the
    versions of each order line on their keys alone, then reads the newest one's row back by it.

    A raw row is one line of one loaded file (ingestion loads a content once per shop: another file of the
    shop with the same hash is recorded as a duplicate), so its shop, its file's hash and its line find it;
    that is the default.
    DuckDB has the row's own id in its table (`rowid`): with an integer to find it by instead of a 64-character
    hash and a line, the order lines' full build at 5M lines took 14.6 -> 13.1 s (docs/performance.md, eighteenth
    measurement). It is only used within one query, never stored. A unit test's rows have no rowid: it gets
    the default.
-#}
{% macro row_locator() -%}
    {{ return(adapter.dispatch('row_locator', 'lapak')()) }}
{%- endmacro %}

{% macro default__row_locator() -%}
    {{ surrogate_key(['_shop_id', '_file_sha256', '_source_row']) }}
{%- endmacro %}

{% macro duckdb__row_locator() -%}
    {#- a unit test's fixture rows are a CTE, which has no rowid -#}
    {%- if model is mapping and model.get('resource_type') == 'unit_test' -%}
        {{ default__row_locator() }}
    {%- else -%}
        rowid
    {%- endif -%}
{%- endmacro %}
