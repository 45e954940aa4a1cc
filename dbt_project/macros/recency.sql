{#-
    The one rule for overlapping exports: per key, the row from the newest export wins (export time
    from the file name or content), ties broken by the file's modification time, then by file and
    row so that the choice is deterministic. Staging ranks with it through newest_export_rank (below);
    `then_by` adds tie-breakers before file and row.
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

{#-
    The rank of a raw row among the versions of its key, newest export first: 1 is the version that wins. The
    key is the shop and `keys` (columns); `then_by` as in newest_export_first. Staging keeps
    `where recency_rank = 1`.
-#}
{% macro newest_export_rank(keys, then_by=[]) -%}
    row_number() over (
        partition by _shop_id, {{ keys | join(', ') }}
        order by {{ newest_export_first(then_by) }}
    )
{%- endmacro %}
