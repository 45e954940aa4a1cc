{#-
    Spark implementations of lapak's adapter-dispatched macros (`dbt build --target spark`), so that
    models do not fork. Each mirrors its duckdb__ twin in parsing.sql / series.sql value for value:
    tests/test_spark.py builds the marts on both engines and compares them row for row.
    Spark SQL string literals unescape backslashes, so regexes here spell `\d` as `\\d`.
-#}

{#- Rupiah amount -> decimal(18, 2); see duckdb__parse_idr. -#}
{% macro spark__parse_idr(col) -%}
    {%- set txt = "regexp_replace(" ~ col ~ ", '(?i)rp|idr|\\\\s', '')" -%}
    (case
        when {{ txt }} rlike '^-?\\d{1,3}(\\.\\d{3})+$'
            then try_cast(replace({{ txt }}, '.', '') as decimal(18, 2))
        when {{ txt }} rlike '^-?\\d{1,3}(,\\d{3})+(\\.\\d+)?$'
            then try_cast(replace({{ txt }}, ',', '') as decimal(18, 2))
        when {{ txt }} rlike '^-?\\d{1,3}(\\.\\d{3})*,\\d{1,2}$'
            then try_cast(replace(replace({{ txt }}, '.', ''), ',', '.') as decimal(18, 2))
        else try_cast({{ txt }} as decimal(18, 2))
    end)
{%- endmacro %}

{#- Whole number -> bigint; see duckdb__parse_int. -#}
{% macro spark__parse_int(col) -%}
    {%- set txt = "regexp_replace(" ~ col ~ ", '\\\\s', '')" -%}
    (case
        when {{ txt }} rlike '^-?\\d{1,3}([.,]\\d{3})+$'
            then try_cast(regexp_replace({{ txt }}, '[.,]', '') as bigint)
        else try_cast({{ txt }} as bigint)
    end)
{%- endmacro %}

{#- Percentage -> double fraction (0-1); see duckdb__parse_pct. -#}
{% macro spark__parse_pct(col) -%}
    {%- set txt = "replace(regexp_replace(" ~ col ~ ", '\\\\s', ''), ',', '.')" -%}
    (case
        when instr({{ txt }}, '%') > 0
            then try_cast(replace({{ txt }}, '%', '') as double) / 100
        else try_cast({{ txt }} as double)
    end)
{%- endmacro %}

{#- Wall-clock time in WIB -> timestamp (the session time zone is UTC, so it stays wall-clock);
    the formats and their order are duckdb__parse_wib_ts's. -#}
{% macro spark__parse_wib_ts(col) -%}
    {%- set formats = [
        'd/M/yyyy H:m:s',
        'd/M/yyyy H:m',
        'yyyy-M-d H:m:s',
        'yyyy-M-d H:m',
        'yyyy/M/d H:m:s',
        'yyyy/M/d H:m',
        "yyyy-M-d''T''H:m:s",
        'yyyy-M-d',
        'd/M/yyyy',
    ] -%}
    coalesce(
        {%- for f in formats %}
        try_to_timestamp({{ col }}, '{{ f }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Duration -> seconds (bigint); see duckdb__parse_duration_s. -#}
{% macro spark__parse_duration_s(col) -%}
    {%- set txt = "lower(regexp_replace(" ~ col ~ ", '\\\\s', ''))" -%}
    (case
        when {{ txt }} rlike '^\\d+:\\d{1,2}:\\d{1,2}$'
            then try_cast(split_part({{ txt }}, ':', 1) as bigint) * 3600
            + try_cast(split_part({{ txt }}, ':', 2) as bigint) * 60
            + try_cast(split_part({{ txt }}, ':', 3) as bigint)
        when {{ txt }} rlike '^\\d+:\\d{1,2}$'
            then try_cast(split_part({{ txt }}, ':', 1) as bigint) * 60
            + try_cast(split_part({{ txt }}, ':', 2) as bigint)
        when {{ txt }} rlike '^(\\d+[hj])?(\\d+m)?(\\d+[sd])?$' and {{ txt }} <> ''
            then coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\\d+)[hj]', 1), '') as bigint), 0) * 3600
            + coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\\d+)m', 1), '') as bigint), 0) * 60
            + coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\\d+)[sd]', 1), '') as bigint), 0)
    end)
{%- endmacro %}

{#- One row per integer in [start, stop], in the select list; see integer_series in series.sql. -#}
{% macro spark__integer_series(start, stop) -%}
    explode(sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint)))
{%- endmacro %}

{#-
    on-run-start: on Spark the `raw` sources are the Parquet lake that ingestion exports
    (ingestion/lake.py: <lake>/<table>/shop=<shop>/day=<date>/*.parquet). Each raw table becomes a view
    over its folder, so a rebuild always reads the current files. On DuckDB this does nothing.
-#}
{% macro register_lake() -%}
    {{ return(adapter.dispatch('register_lake', 'lapak')()) }}
{%- endmacro %}

{% macro default__register_lake() -%}
{%- endmacro %}

{% macro spark__register_lake() -%}
    {%- set lake = env_var('LAPAK_LAKE', '../data/lake') | replace('\\', '/') -%}
    {%- set tables = [] -%}
    {%- if execute -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do tables.append(source.identifier) if source.identifier not in tables -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for table in tables -%}
        {%- do run_query(
            'create or replace view raw.' ~ table ~ ' as select * from parquet.`' ~ lake ~ '/' ~ table ~ '`'
        ) -%}
    {%- endfor -%}
    select 1
{%- endmacro %}

{#-
    Incremental models whose strategy Spark has no counterpart for (DuckDB's delete+insert on plain
    Parquet, and lapak's shop_replace for the marts, macros/shops.sql): lapak builds on Spark with
    --full-refresh (lapak/spark.py), where the strategy never runs,
    so accept it then and say what to do otherwise. This overrides dbt-spark's macro of the same name;
    the other strategies are validated as dbt-spark does.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy in ['delete+insert', 'shop_replace'] -%}
        {%- if not should_full_refresh() -%}
            {% do exceptions.raise_compiler_error(
                "incremental_strategy '" ~ raw_strategy ~ "' has no Spark counterpart on " ~ file_format
                ~ ": build with --full-refresh (lapak run --engine spark does)"
            ) %}
        {%- endif -%}
        {% do return('append') %}
    {%- endif -%}
    {%- if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch'] -%}
        {% do exceptions.raise_compiler_error("Invalid incremental strategy provided: " ~ raw_strategy) %}
    {%- endif -%}
    {%- if raw_strategy == 'merge' and file_format not in ['delta', 'iceberg', 'hudi'] -%}
        {% do exceptions.raise_compiler_error(
            "incremental_strategy 'merge' needs file_format delta, iceberg or hudi, not " ~ file_format
        ) %}
    {%- endif -%}
    {%- if raw_strategy in ['insert_overwrite', 'microbatch'] and target.endpoint -%}
        {% do exceptions.raise_compiler_error(
            "incremental_strategy " ~ raw_strategy ~ " cannot be used when connecting via endpoint"
        ) %}
    {%- endif -%}
    {% do return(raw_strategy) %}
{% endmacro %}
