with

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

int_video_days_filtered as (

    select * from {{ ref('int_video_days_filtered') }}
    where {{ rebuilt_shops_only() }}

),

order_days as (

    select
        shop_id,
        order_date,
        count(*) as orders,
        count(distinct customer_key) as buyers,
        sum(units) as units,
        sum(gmv_idr) as gmv_idr
    from int_orders_aggregated
    where is_counted
    group by
        shop_id,
        order_date

),

-- a video's finish rate only means something relative to its views, so weight by views;
-- the sum runs in decimal so that a rebuild gives the same bits whatever the summation order
video_days as (

    select
        shop_id,
        video_date,
        sum(views) as video_views,
        cast(
            sum(views * cast(view_through_rate as decimal(18, 6)))
            / nullif(sum(case when view_through_rate is not null then views end), 0)
            as {{ dbt.type_float() }}
        ) as view_through_rate,
        sum(product_impressions) as product_impressions,
        sum(product_clicks) as product_clicks,
        sum(attributed_sku_orders) as video_attributed_orders
    from int_video_days_filtered
    group by
        shop_id,
        video_date

),

active_days as (

    select
        shop_id,
        order_date as activity_date
    from int_orders_aggregated
    union all
    select
        shop_id,
        video_date as activity_date
    from video_days

),

shop_ranges as (

    select
        shop_id,
        min(activity_date) as first_date,
        max(activity_date) as last_date
    from active_days
    where activity_date is not null
    group by shop_id

),

shop_days as (

    {{ shop_day_spine('shop_ranges', 'first_date', 'last_date') }}

),

final as (

    select
        shop_days.shop_id,
        shop_days.date,
        coalesce(order_days.orders, 0) as orders,
        coalesce(order_days.buyers, 0) as buyers,
        coalesce(order_days.units, 0) as units,
        coalesce(order_days.gmv_idr, 0) as gmv_idr,
        cast(order_days.gmv_idr / nullif(order_days.orders, 0) as decimal(18, 2)) as aov_idr,
        video_days.video_views,
        video_days.view_through_rate,
        video_days.product_impressions,
        video_days.product_clicks,
        cast(video_days.product_clicks as {{ dbt.type_float() }})
        / nullif(video_days.product_impressions, 0) as ctr,
        video_days.video_attributed_orders,
        cast(video_days.video_attributed_orders as {{ dbt.type_float() }})
        / nullif(video_days.product_clicks, 0) as cvr
    from shop_days
    left join order_days
        on
            shop_days.shop_id = order_days.shop_id
            and shop_days.date = order_days.order_date
    left join video_days
        on
            shop_days.shop_id = video_days.shop_id
            and shop_days.date = video_days.video_date

)

select * from final
