with

creators as (

    select * from {{ source('tiktok', 'creators') }}

),

-- the affiliate export has no creator id: the name is the key within a date range
ranked as (

    select
        *,
        {{ newest_export_rank(['creator_name', '_period_start', '_period_end']) }} as recency_rank
    from creators

),

final as (

    select
        _shop_id as shop_id,
        creator_name,
        {{ parse_idr('gmv') }} as gmv_idr,
        {{ parse_idr('live_gmv') }} as live_gmv_idr,
        {{ parse_idr('video_gmv') }} as video_gmv_idr,
        {{ parse_idr('product_card_gmv') }} as product_card_gmv_idr,
        {{ parse_idr('refunds') }} as refunds_idr,
        {{ parse_int('attributed_orders') }} as attributed_orders,
        {{ parse_int('units_sold') }} as units_sold,
        {{ parse_int('units_refunded') }} as units_refunded,
        {{ parse_idr('aov') }} as aov_idr,
        {{ parse_pct('ctr') }} as ctr,
        {{ parse_pct('ctor') }} as ctor,
        {{ parse_int('lives') }} as lives,
        {{ parse_int('videos') }} as videos,
        {{ parse_int('product_impressions') }} as product_impressions,
        {{ parse_int('video_views') }} as video_views,
        {{ parse_int('buyers') }} as buyers,
        {{ parse_idr('estimated_commission') }} as estimated_commission_idr,
        _period_start as period_start_date,
        _period_end as period_end_date,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
