with

int_video_days_filtered as (

    select * from {{ ref('int_video_days_filtered') }}
    where {{ rebuilt_shops_only() }}

),

live_sessions as (

    select * from {{ ref('live_sessions') }}
    where {{ rebuilt_shops_only() }}

),

kpi_daily as (

    select * from {{ ref('kpi_daily') }}
    where {{ rebuilt_shops_only() }}

),

videos as (

    select
        shop_id,
        video_date as date,
        'video' as content_type,
        video_id as content_id,
        creator_id,
        product_impressions,
        views,
        views * cast(view_through_rate as decimal(18, 6)) as finished_views,
        case when view_through_rate is not null then views end as views_with_finish_rate,
        product_clicks,
        attributed_sku_orders as orders,
        units_sold as units,
        attributed_gmv_idr as gmv_idr
    from int_video_days_filtered

),

lives as (

    select
        shop_id,
        live_date as date,
        'live' as content_type,
        live_id as content_id,
        creator_id,
        product_impressions,
        views,
        cast(null as decimal(18, 6)) as finished_views,
        cast(null as {{ dbt.type_bigint() }}) as views_with_finish_rate,
        product_clicks,
        orders,
        units,
        gmv_idr
    from live_sessions

),

attributed_days as (

    select
        shop_id,
        date,
        sum(orders) as orders,
        sum(units) as units,
        sum(gmv_idr) as gmv_idr
    from (
        select * from videos
        union all
        select * from lives
    ) as attributed
    group by
        shop_id,
        date

),

-- what neither a video nor a LIVE claims: product card, search, shop page (floored at 0, since
-- TikTok's attribution counts SKU orders and can exceed the order export)
product_cards as (

    select
        kpi_daily.shop_id,
        kpi_daily.date,
        'product_card' as content_type,
        '(other)' as content_id,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        cast(null as {{ dbt.type_bigint() }}) as product_impressions,
        cast(null as {{ dbt.type_bigint() }}) as views,
        cast(null as decimal(18, 6)) as finished_views,
        cast(null as {{ dbt.type_bigint() }}) as views_with_finish_rate,
        cast(null as {{ dbt.type_bigint() }}) as product_clicks,
        greatest(kpi_daily.orders - coalesce(attributed_days.orders, 0), 0) as orders,
        greatest(kpi_daily.units - coalesce(attributed_days.units, 0), 0) as units,
        greatest(kpi_daily.gmv_idr - coalesce(attributed_days.gmv_idr, 0), 0) as gmv_idr
    from kpi_daily
    left join attributed_days
        on
            kpi_daily.shop_id = attributed_days.shop_id
            and kpi_daily.date = attributed_days.date

),

contents as (

    select * from videos
    union all
    select * from lives
    union all
    select * from product_cards

),

final as (

    select
        {{ surrogate_key(['shop_id', 'date', 'content_type', 'content_id']) }} as content_day_id,
        shop_id,
        date,
        content_type,
        content_id,
        creator_id,
        product_impressions,
        views,
        product_clicks,
        orders,
        units,
        gmv_idr,
        cast(finished_views / nullif(views_with_finish_rate, 0) as {{ type_double() }}) as view_through_rate,
        cast(product_clicks as {{ type_double() }}) / nullif(product_impressions, 0) as ctr,
        cast(orders as {{ type_double() }}) / nullif(product_clicks, 0) as ctor,
        cast(orders as {{ type_double() }}) / nullif(views, 0) as cvr,
        cast(gmv_idr / nullif(orders, 0) as decimal(18, 2)) as aov_idr,
        cast(1000 * gmv_idr / nullif(views, 0) as decimal(18, 2)) as gpm_idr
    from contents

)

select * from final
