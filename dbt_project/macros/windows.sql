{#-
    The days an incremental fact model rebuilds on this run.

    Dagster passes them as JSON in the environment variable LAPAK_REBUILD_WINDOWS:
    `{"lapak_windows": {"orders": ["2026-03-01", "2026-03-31"], ...}, "lapak_shops": ["toko_a"]}`
    (not as --vars: a change of --vars makes dbt re-parse the whole project; a changed environment
    variable re-parses only the files that read it). `--vars` with the same keys still wins, for a
    hand-run `dbt build` and for unit tests. A backfill over a partition range sends that range for every kind;
    a normal run sends, per kind, the span of the export ranges loaded since the facts were last
    built (a late export that changes month-old orders puts those days back in the window).

    - `lapak_windows` absent from both (a plain `dbt build`): every day is rebuilt, which is always correct.
    - present but without an entry for `kind`: nothing of that kind changed, nothing is rebuilt.
    - `lapak_shops`, when given, limits the rebuild to those shops: after ingestion, the shops whose new
      exports the window covers (an agency's other shops did not change); `lapak run --shop`: that shop.

    Only the `is_incremental()` branch of a model uses this; a first or `--full-refresh` build reads
    everything.
-#}
{% macro in_rebuild_window(kind, day_expr, shop_expr) -%}
    {%- set from_env = fromjson(env_var('LAPAK_REBUILD_WINDOWS', '{}')) -%}
    {%- set windows = var('lapak_windows', from_env.get('lapak_windows')) -%}
    {%- set shops = var('lapak_shops', from_env.get('lapak_shops')) -%}
    {%- if windows is none -%}
        true
    {%- elif kind not in windows or windows[kind] is none -%}
        false
    {%- else -%}
        {%- set first_day, last_day = windows[kind][0], windows[kind][1] -%}
        ({{ day_expr }} between {{ lapak_date_literal(first_day) }} and {{ lapak_date_literal(last_day) }})
    {%- endif -%}
    {%- if shops %}
        and {{ shop_expr }} in (
            {%- for shop in shops %}'{{ shop | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Raw order rows of every order (shop, order ID) created on a day in the rebuild window: all versions of
    those orders, from every export that holds them, so that the newest one and the status history are
    recomputed whole. Used by the incremental branch of the order-line models.
-#}
{% macro orders_in_rebuild_window() -%}
    (_shop_id, order_id) in (
        select
            _shop_id,
            order_id
        from {{ source('tiktok', 'orders') }}
        where {{ in_rebuild_window('orders', 'cast(' ~ parse_wib_ts('created_time') ~ ' as date)', '_shop_id') }}
    )
{%- endmacro %}

{% macro lapak_date_literal(value) -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value | string) -%}
        {{ exceptions.raise_compiler_error("lapak_windows: expected a YYYY-MM-DD date, got '" ~ value ~ "'") }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
