with

stg_tiktok__videos as (

    select * from {{ ref('stg_tiktok__videos') }}

),

-- only single-day exports can be put on a date; multi-day totals are not spread over days
final as (

    select
        shop_id,
        video_id,
        period_start_date as video_date,
        creator_id,
        creator_name,
        posted_at,
        views,
        view_through_rate,
        likes,
        comments,
        shares,
        product_impressions,
        product_clicks,
        attributed_sku_orders,
        units_sold,
        attributed_gmv_idr,
        export_at
    from stg_tiktok__videos
    where is_single_day

)

select * from final
