{#-
    The one way lapak builds a row's key from its columns (`order_line_id`, `live_id`, `reorder_signal_id`, …):
    their text joined with '|', e.g. `toko_a|O1|SKU-1|2024-01-05`, or with `hash=true` the md5 of that text
    (`live_id`, whose columns include a timestamp).

    `columns` are SQL expressions of any type; each is cast to text. A NULL column makes the whole key NULL
    (as `||` does), except the columns also named in `null_as_empty`, which stand as '' (a video's export
    period, a LIVE's start time): their rows still get a key.
-#}
{% macro surrogate_key(columns, null_as_empty=[], hash=false) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set text = "cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")" -%}
        {%- if column in null_as_empty -%}
            {%- set text = "coalesce(" ~ text ~ ", '')" -%}
        {%- endif -%}
        {%- do parts.append(text) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if hash -%}
        {{ dbt.hash(dbt.concat(parts)) }}
    {%- else -%}
        {{ dbt.concat(parts) }}
    {%- endif -%}
{%- endmacro %}
