{#-
    Every listed column is NOT NULL, checked in one scan: one row per column that has NULLs, with
    their count (so `dbt test --store-failures` and the Dagster check name the column).

    One test per model instead of one `not_null` per column: each dbt test node costs dbt ~25 ms of
    its own and Dagster an asset-check event, and ~190 column tests were the largest part of a small
    run's dbt time (docs/performance.md). `sum(case ...)` keeps it portable to Spark.
-#}
{% test not_null_columns(model, column_names) %}
    with null_counts as (
        select
            {%- for column in column_names %}
            sum(case when {{ column }} is null then 1 else 0 end) as n_{{ loop.index }}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    )
    {%- for column in column_names %}
    select '{{ column }}' as column_name, n_{{ loop.index }} as null_rows from null_counts where n_{{ loop.index }} > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
{% endtest %}
