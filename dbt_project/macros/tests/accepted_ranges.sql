{#-
    Every listed column lies within its range, checked in one scan: one row per column with values out of
    range, with their count (so `dbt test --store-failures` and the Dagster check name the column). NULLs
    pass. `ranges`: a list of {column, min_value, max_value, inclusive}, either bound optional, inclusive
    unless `inclusive: false`.

    One test per model instead of one `accepted_range` per column, as `not_null_columns` is for NULLs: each
    dbt test node costs dbt ~35 ms of its own and Dagster an asset-check event, whatever the rows, and a
    new day's marts step ran 41 range tests (docs/performance.md). A column whose range is only a warning
    keeps its own `accepted_range` test with `severity: warn`. `sum(case ...)` keeps it portable to Spark.
-#}
{% test accepted_ranges(model, ranges) %}
    with out_of_range as (
        select
            {%- for r in ranges %}
            {%- set inclusive = r.get('inclusive', true) %}
            sum(case when {{ r.column }} is not null and (
                1 = 0
                {%- if r.get('min_value') is not none %}
                or {{ r.column }} {{ '<' if inclusive else '<=' }} {{ r.min_value }}
                {%- endif %}
                {%- if r.get('max_value') is not none %}
                or {{ r.column }} {{ '>' if inclusive else '>=' }} {{ r.max_value }}
                {%- endif %}
            ) then 1 else 0 end) as n_{{ loop.index }}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    )
    {%- for r in ranges %}
    select '{{ r.column }}' as column_name, n_{{ loop.index }} as rows_out_of_range
    from out_of_range where n_{{ loop.index }} > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
{% endtest %}
