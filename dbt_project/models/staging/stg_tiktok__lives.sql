{{
    config(
        materialized='incremental',
        unique_key='live_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        tags=['daily_fact'],
        meta={'rebuild_window': ['lives', 'cast(live_started_at as date)']},
    )
}}

with

lives as (

    select * from {{ source('tiktok', 'lives') }}

),

parsed as (

    select
        *,
        {{ parse_wib_ts('live_start_time') }} as live_started_at
    from lives

),

-- a LIVE's day is the day it started
windowed as (

    select * from parsed
    {% if is_incremental() -%}
        where {{ in_rebuild_window('lives', 'cast(live_started_at as date)', '_shop_id') }}
    {%- endif %}

),

-- a LIVE session has no id in the export: creator + start time identifies it
ranked as (

    select
        *,
        {{ newest_export_rank(['creator_id', 'live_started_at']) }} as recency_rank
    from windowed

),

final as (

    select
        {{ surrogate_key(
            ['_shop_id', 'creator_id', 'live_started_at'], null_as_empty=['live_started_at'], hash=true,
        ) }} as live_id,
        _shop_id as shop_id,
        creator_id,
        creator_name,
        nickname,
        live_started_at,
        {{ parse_duration_s('duration') }} as duration_s,
        {{ parse_idr('attributed_gmv') }} as attributed_gmv_idr,
        {{ parse_idr('direct_gmv') }} as direct_gmv_idr,
        {{ parse_idr('indirect_gmv') }} as indirect_gmv_idr,
        {{ parse_int('sku_orders') }} as sku_orders,
        {{ parse_int('paid_orders') }} as paid_orders,
        {{ parse_int('units_sold') }} as units_sold,
        {{ parse_int('buyers') }} as buyers,
        {{ parse_int('viewers') }} as viewers,
        {{ parse_int('views') }} as views,
        {{ parse_duration_s('avg_watch_duration') }} as avg_watch_duration_s,
        {{ parse_int('comments') }} as comments,
        {{ parse_int('shares') }} as shares,
        {{ parse_int('likes') }} as likes,
        {{ parse_int('new_followers') }} as new_followers,
        {{ parse_int('product_impressions') }} as product_impressions,
        {{ parse_int('product_clicks') }} as product_clicks,
        {{ parse_pct('ctr') }} as ctr,
        _period_start as period_start_date,
        _period_end as period_end_date,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
