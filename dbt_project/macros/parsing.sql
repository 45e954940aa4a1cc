{#-
    Parsers for the text that Seller Center exports contain. Raw columns are text, already
    trimmed, with '' and '--' stored as NULL. Every parser returns NULL instead of failing,
    because a bad cell must not stop a load (ingestion quarantines those rows anyway).
    DuckDB syntax lives in the duckdb__ implementations; another adapter adds its own.
-#}

{#- Rupiah amount -> decimal(18, 2). `50000`, `IDR 12.000`, `Rp10.945.407`, `1407834.000`, `1,234,567`. -#}
{% macro parse_idr(col) -%}
    {{ return(adapter.dispatch('parse_idr', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_idr(col) -%}
    cast({{ col }} as decimal(18, 2))
{%- endmacro %}

{#- A plain number (`50000`, `0`: nearly every cell of an export) is cast as it is; anything with a dot, a comma,
    a currency or a space goes through the patterns. The same value either way (the patterns all need a dot or a
    comma, and a cast that succeeds ignores edge spaces), ~5x cheaper on an order export (benchmarks/parsers.py);
    tests/test_parsing_agreement.py checks the two paths agree. -#}
{% macro duckdb__parse_idr(col) -%}
    {{ duckdb__plain_number_else(col, 'decimal(18, 2)', duckdb__parse_idr_any_format(col)) }}
{%- endmacro %}

{#- `col` cast to `type` when it has no dot or comma (and the cast succeeds), else `any_format`. -#}
{% macro duckdb__plain_number_else(col, type, any_format) -%}
    coalesce(
        case when strpos({{ col }}, '.') = 0 and strpos({{ col }}, ',') = 0 then try_cast({{ col }} as {{ type }}) end,
        {{ any_format }}
    )
{%- endmacro %}

{% macro duckdb__parse_idr_any_format(col) -%}
    {%- set txt = "regexp_replace(" ~ col ~ ", '(?i)rp|idr|\\s', '', 'g')" -%}
    (case
        {#- dots only as thousands separators: 12.000, 10.945.407 #}
        when regexp_matches({{ txt }}, '^-?\d{1,3}(\.\d{3})+$')
            then try_cast(replace({{ txt }}, '.', '') as decimal(18, 2))
        {#- commas as thousands separators, optional decimal point: 1,234,567.50 #}
        when regexp_matches({{ txt }}, '^-?\d{1,3}(,\d{3})+(\.\d+)?$')
            then try_cast(replace({{ txt }}, ',', '') as decimal(18, 2))
        {#- Indonesian decimal comma: 1.234,50 or 12,5 #}
        when regexp_matches({{ txt }}, '^-?\d{1,3}(\.\d{3})*,\d{1,2}$')
            then try_cast(replace(replace({{ txt }}, '.', ''), ',', '.') as decimal(18, 2))
        else try_cast({{ txt }} as decimal(18, 2))
    end)
{%- endmacro %}

{#- Whole number -> bigint. `12345`, `12.345`, `1,234`. -#}
{% macro parse_int(col) -%}
    {{ return(adapter.dispatch('parse_int', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_int(col) -%}
    cast({{ col }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A plain number is cast as it is, as in duckdb__parse_idr. -#}
{% macro duckdb__parse_int(col) -%}
    {{ duckdb__plain_number_else(col, 'bigint', duckdb__parse_int_any_format(col)) }}
{%- endmacro %}

{% macro duckdb__parse_int_any_format(col) -%}
    {%- set txt = "regexp_replace(" ~ col ~ ", '\\s', '', 'g')" -%}
    (case
        when regexp_matches({{ txt }}, '^-?\d{1,3}([.,]\d{3})+$')
            then try_cast(regexp_replace({{ txt }}, '[.,]', '', 'g') as bigint)
        else try_cast({{ txt }} as bigint)
    end)
{%- endmacro %}

{#- Percentage -> double fraction (0-1). `12.34%` -> 0.1234, `0,5%` -> 0.005, `0.1234` -> 0.1234. -#}
{% macro parse_pct(col) -%}
    {{ return(adapter.dispatch('parse_pct', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_pct(col) -%}
    cast({{ col }} as {{ dbt.type_float() }})
{%- endmacro %}

{% macro duckdb__parse_pct(col) -%}
    {%- set txt = "replace(regexp_replace(" ~ col ~ ", '\\s', '', 'g'), ',', '.')" -%}
    (case
        when strpos({{ txt }}, '%') > 0
            then try_cast(replace({{ txt }}, '%', '') as double) / 100
        else try_cast({{ txt }} as double)
    end)
{%- endmacro %}

{#- Wall-clock time in WIB (UTC+7) -> naive timestamp. Day-first only for the slash form with a 4-digit year last. -#}
{% macro parse_wib_ts(col) -%}
    {{ return(adapter.dispatch('parse_wib_ts', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_wib_ts(col) -%}
    cast({{ col }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__parse_wib_ts(col) -%}
    try_strptime({{ col }}, [
        '%d/%m/%Y %H:%M:%S',
        '%d/%m/%Y %H:%M',
        '%Y-%m-%d %H:%M:%S',
        '%Y-%m-%d %H:%M',
        '%Y/%m/%d %H:%M:%S',
        '%Y/%m/%d %H:%M',
        '%Y-%m-%dT%H:%M:%S',
        '%Y-%m-%d',
        '%d/%m/%Y'
    ])
{%- endmacro %}

{#- Duration -> seconds (bigint). `2h 05m 30s`, `1m 12s`, `45s`, `01:02:03`, `02:03`; Indonesian `j`/`d` units too. -#}
{% macro parse_duration_s(col) -%}
    {{ return(adapter.dispatch('parse_duration_s', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_duration_s(col) -%}
    cast({{ col }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__parse_duration_s(col) -%}
    {%- set txt = "lower(regexp_replace(" ~ col ~ ", '\\s', '', 'g'))" -%}
    (case
        when regexp_matches({{ txt }}, '^\d+:\d{1,2}:\d{1,2}$')
            then try_cast(split_part({{ txt }}, ':', 1) as bigint) * 3600
            + try_cast(split_part({{ txt }}, ':', 2) as bigint) * 60
            + try_cast(split_part({{ txt }}, ':', 3) as bigint)
        when regexp_matches({{ txt }}, '^\d+:\d{1,2}$')
            then try_cast(split_part({{ txt }}, ':', 1) as bigint) * 60
            + try_cast(split_part({{ txt }}, ':', 2) as bigint)
        when regexp_matches({{ txt }}, '^(\d+[hj])?(\d+m)?(\d+[sd])?$') and {{ txt }} <> ''
            then coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\d+)[hj]', 1), '') as bigint), 0) * 3600
            + coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\d+)m', 1), '') as bigint), 0) * 60
            + coalesce(try_cast(nullif(regexp_extract({{ txt }}, '(\d+)[sd]', 1), '') as bigint), 0)
    end)
{%- endmacro %}

{#- 'true'/'false' (and the usual spellings) -> boolean. -#}
{% macro parse_bool(col) -%}
    {{ return(adapter.dispatch('parse_bool', 'lapak')(col)) }}
{%- endmacro %}

{% macro default__parse_bool(col) -%}
    (case
        when lower({{ col }}) in ('true', 't', 'yes', 'y', 'ya', '1') then true
        when lower({{ col }}) in ('false', 'f', 'no', 'n', 'tidak', '0') then false
    end)
{%- endmacro %}
