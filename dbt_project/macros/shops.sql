{#-
    The shops whose marts this build rebuilds.

    Every mart and the tables under them are keyed by shop, and no row of one shop depends on another
    shop's rows: every join and window is within a shop. So a run that loaded new exports for one shop of
    an agency's ten rebuilds that shop's rows only, and leaves the other nine as they are
    (orchestration/marts.py decides which shops; docs/performance.md says what it saves).

    Dagster passes the list in the environment variable LAPAK_REBUILD_WINDOWS, beside the facts' days:
    `{"lapak_mart_shops": ["toko_a", "toko_b"]}`; `--vars` with the same key wins, for a hand-run dbt.
    Absent from both (a plain `dbt build`, a first or a full-refresh build): every shop.

    - `in_rebuilt_shops(shop_expr)`: a condition on the shops to rebuild, for a data test, a delete or an insert.
    - `rebuilt_shops_only(shop_expr)`: the same in a model, where it applies only to an incremental run
      (a first or `--full-refresh` build reads every shop). Each import CTE of a per-shop model filters
      with it, so that the work shrinks with the shops, not only the rows written: dbt-duckdb computes the
      model's whole select into a temporary table before the strategy runs, so the insert's own filter
      cannot make it read less (a new day's build was 12% -> 9% of a full one with the marts per shop,
      docs/performance.md). What is written does not depend on these filters.
    - the `shop_replace` incremental strategy: delete the rebuilt shops' rows, insert the rebuilt shops' rows
      of the new result (its own filter: a model whose imports read other shops too still writes only the
      rebuilt ones, and never a second copy of another shop's rows). Unlike `delete+insert` on `shop_id`, a
      shop whose new result is empty loses its old rows too.
-#}
{% macro lapak_mart_shops() -%}
    {#- not read while parsing: dbt re-parses every file that read an environment variable when its value changes -#}
    {%- if not execute -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set from_env = fromjson(env_var('LAPAK_REBUILD_WINDOWS', '{}')) -%}
    {%- do return(var('lapak_mart_shops', from_env.get('lapak_mart_shops'))) -%}
{%- endmacro %}

{% macro in_rebuilt_shops(shop_expr='shop_id') -%}
    {%- set shops = lapak_mart_shops() -%}
    {%- if shops is none -%}
        true
    {%- elif shops | length == 0 -%}
        false
    {%- else -%}
        {{ shop_expr }} in (
            {%- for shop in shops %}'{{ shop | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{% macro rebuilt_shops_only(shop_expr='shop_id') -%}
    {#- a unit test has no `this`: it builds from its fixtures, every shop -#}
    {%- if this is not none and is_incremental() -%}
        {{ in_rebuilt_shops(shop_expr) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro get_incremental_shop_replace_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ in_rebuilt_shops('shop_id') }};

    insert into {{ target }} ({{ columns }})
    (
        select {{ columns }}
        from {{ arg_dict['temp_relation'] }}
        where {{ in_rebuilt_shops('shop_id') }}
    )
{%- endmacro %}
