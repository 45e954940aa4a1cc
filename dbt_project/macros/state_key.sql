{#-
    One value per state of a row, for telling consecutive versions apart (`lag(state_key) <> state_key`).
    `values` are SQL expressions, NULLs already replaced where NULL must equal a value. The default is their
    text joined with `|`, a NULL as '' (surrogate_key). On DuckDB it is their 64-bit hash, cheaper to carry through the window's sort than a
    ~40-character text: the status history's full build at 5M order lines took 12.1 -> 10.5 s with the order
    lines' change beside it (docs/performance.md, eighteenth measurement). Two different states of one line
    collide with probability 2^-64.
-#}
{% macro state_key(values) -%}
    {{ return(adapter.dispatch('state_key', 'lapak')(values)) }}
{%- endmacro %}

{% macro default__state_key(values) -%}
    {{ surrogate_key(values, null_as_empty=values) }}
{%- endmacro %}

{% macro duckdb__state_key(values) -%}
    hash({{ values | join(', ') }})
{%- endmacro %}
