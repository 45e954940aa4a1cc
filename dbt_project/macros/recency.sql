{#-
    The one rule for overlapping exports: per key, the row from the newest export wins (export time
    from the file name or content), ties broken by the file's modification time, then by file and
    row so that the choice is deterministic. Used as `order by {{ newest_export_first() }}` in a
    `row_number()` over the key; `then_by` adds tie-breakers before file and row.
-#}
{% macro newest_export_first(then_by=[]) -%}
    _export_at desc nulls last,
    _file_modified_at desc nulls last,
    {%- for column in then_by %}
    {{ column }},
    {%- endfor %}
    _source_file desc,
    _source_row desc
{%- endmacro %}
