{{
    config(
        materialized='incremental',
        unique_key='video_period_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        tags=['daily_fact'],
        meta={'rebuild_window': ['videos', 'period_start_date']},
    )
}}

with

-- a video export's day is the first day of its date range
videos as (

    select * from {{ source('tiktok', 'videos') }}
    {% if is_incremental() -%}
        where {{ in_rebuild_window('videos', '_period_start', '_shop_id') }}
    {%- endif %}

),

-- a video appears once per export; exports of the same date range overlap
ranked as (

    select
        *,
        {{ newest_export_rank(['video_id', '_period_start', '_period_end']) }} as recency_rank
    from videos

),

final as (

    select
        {{ surrogate_key(
            ['_shop_id', 'video_id', '_period_start', '_period_end'],
            null_as_empty=['_period_start', '_period_end'],
        ) }} as video_period_id,
        _shop_id as shop_id,
        video_id,
        creator_id,
        creator_name,
        video_info,
        products as product_names,
        {{ parse_wib_ts('posted_time') }} as posted_at,
        {{ parse_int('views') }} as views,
        {{ parse_int('likes') }} as likes,
        {{ parse_int('comments') }} as comments,
        {{ parse_int('shares') }} as shares,
        {{ parse_int('new_followers') }} as new_followers,
        {{ parse_int('product_impressions') }} as product_impressions,
        {{ parse_int('product_clicks') }} as product_clicks,
        {{ parse_int('buyers') }} as buyers,
        {{ parse_int('attributed_sku_orders') }} as attributed_sku_orders,
        {{ parse_int('units_sold') }} as units_sold,
        {{ parse_idr('attributed_gmv') }} as attributed_gmv_idr,
        {{ parse_idr('video_gmv') }} as video_gmv_idr,
        {{ parse_pct('ctr') }} as ctr,
        {{ parse_pct('finish_rate') }} as view_through_rate,
        _period_start as period_start_date,
        _period_end as period_end_date,
        coalesce(_period_start = _period_end, false) as is_single_day,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
