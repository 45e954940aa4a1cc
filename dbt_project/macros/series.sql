{#-
    Set-returning expression for the select list: one row per integer in [start, stop].
    Used to densify date and week spines without a fixed-size numbers table.
-#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series', 'lapak')(start, stop)) }}
{%- endmacro %}

{% macro default__integer_series(start, stop) -%}
    generate_series({{ start }}, {{ stop }})
{%- endmacro %}

{% macro duckdb__integer_series(start, stop) -%}
    unnest(generate_series(cast({{ start }} as bigint), cast({{ stop }} as bigint)))
{%- endmacro %}

{#-
    Whole weeks from one Monday to a later Monday. Portable because the day difference of two
    Mondays is an exact multiple of 7 (dbt.datediff 'week' counts week boundaries differently per adapter).
-#}
{% macro weeks_between(from_monday, to_monday) -%}
    cast({{ dbt.datediff(from_monday, to_monday, 'day') | trim }} / 7 as {{ dbt.type_int() }})
{%- endmacro %}
