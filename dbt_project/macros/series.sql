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

{#-
    One row per shop and day, from `first_date` to `last_date` (columns of each row of `ranges`, a relation
    with a shop_id): the dense days of kpi_daily and int_sku_days_stocked. Columns: shop_id, the `carry`
    columns of `ranges`, `day_index` (0 on the first day) and `date`.
-#}
{% macro shop_day_spine(ranges, first_date, last_date, carry=[]) -%}
    select
        shop_id,
        {%- for column in carry %}
        {{ column }},
        {%- endfor %}
        day_offset as day_index,
        cast({{ dbt.dateadd('day', 'day_offset', first_date) }} as date) as date
    from (
        select
            shop_id,
            {%- for column in carry %}
            {{ column }},
            {%- endfor %}
            {{ first_date }},
            {{ integer_series(0, dbt.datediff(first_date, last_date, 'day')) }} as day_offset
        from {{ ranges }}
    ) as day_offsets
{%- endmacro %}

{#-
    The running total of `value` (NULL adding 0) over the rows of a partition (`partition_by`, a list), in
    `order_by` order, up to and including the row: cumulative units, open units, LTV, repeat customers.
-#}
{% macro running_total(value, partition_by, order_by) -%}
    sum(coalesce({{ value }}, 0)) over (
        partition by {{ partition_by | join(', ') }}
        order by {{ order_by }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}
