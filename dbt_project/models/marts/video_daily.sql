with

int_video_days_filtered as (

    select * from {{ ref('int_video_days_filtered') }}
    where {{ rebuilt_shops_only() }}

),

final as (

    select
        shop_id,
        video_id,
        video_date as date,
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
        cast(product_clicks as {{ dbt.type_float() }}) / nullif(product_impressions, 0) as ctr,
        attributed_sku_orders,
        units_sold,
        attributed_gmv_idr
    from int_video_days_filtered

)

select * from final
