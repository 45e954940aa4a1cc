{#-
    dbt's data tests read their model through this macro (dbt's own, overridden here). On a build after
    ingestion, the tests of an incremental fact model read only the days this build rebuilt: the other
    days are the rows the tests passed when they were built, and testing every day again on every run
    cost more than building the new day (docs/performance.md). A fact model says which kind of export and
    which day column decide its window in `meta.rebuild_window` ([kind, day expression]); a build without
    a window (the first, a plain `dbt build`) tests every row, as does a backfill over all its days.
    Likewise, when the marts step rebuilds some shops only (macros/shops.sql), the tests of every model it
    builds (marts, and the views and tables under them, all keyed by shop) read only those shops: the other
    shops' rows are unchanged since their tests last passed. A test's own `where` config still applies,
    and-ed with these.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set node = lapak_model_of(relation) -%}
    {%- set window = node.config.meta.get('rebuild_window') if node else none -%}
    {%- if window -%}
        {%- do conditions.append('(' ~ in_rebuild_window(window[0], window[1], 'shop_id') ~ ')') -%}
    {%- endif -%}
    {%- if node and 'daily_fact' not in node.config.get('tags', []) -%}
        {%- do conditions.append('(' ~ in_rebuilt_shops('shop_id') ~ ')') -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The model node that `relation` is, or none (a source, a test's own relation). -#}
{% macro lapak_model_of(relation) -%}
    {%- set found = namespace(node=none) -%}
    {%- if execute and relation.identifier is defined -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema -%}
                {%- set found.node = node -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return(found.node) -%}
{%- endmacro %}
