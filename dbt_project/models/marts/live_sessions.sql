with

stg_tiktok__lives as (

    select * from {{ ref('stg_tiktok__lives') }}
    where {{ rebuilt_shops_only() }}

),

stg_seller__campaigns as (

    select * from {{ ref('stg_seller__campaigns') }}
    where {{ rebuilt_shops_only() }}

),

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

sessions as (

    select
        live_id,
        shop_id,
        creator_id,
        creator_name,
        live_started_at,
        duration_s,
        cast(
            {{ dbt.dateadd('second', 'coalesce(duration_s, 0)', 'live_started_at') }}
            as {{ dbt.type_timestamp() }}
        ) as live_ended_at,
        attributed_gmv_idr,
        direct_gmv_idr,
        paid_orders,
        units_sold,
        buyers,
        viewers,
        views,
        avg_watch_duration_s,
        likes,
        comments,
        shares,
        new_followers,
        product_impressions,
        product_clicks
    from stg_tiktok__lives
    where live_started_at is not null

),

-- all-channel orders placed while the session ran (the export's own GMV is attribution-based)
window_orders as (

    select
        sessions.live_id,
        count(*) as window_orders,
        sum(int_orders_aggregated.gmv_idr) as window_gmv_idr
    from sessions
    inner join int_orders_aggregated
        on
            sessions.shop_id = int_orders_aggregated.shop_id
            and sessions.live_started_at <= int_orders_aggregated.created_at
            and sessions.live_ended_at >= int_orders_aggregated.created_at
    where int_orders_aggregated.is_counted
    group by sessions.live_id

),

-- the LIVE campaign of the calendar that the session starts in, if any
campaign_matches as (

    select
        sessions.live_id,
        stg_seller__campaigns.campaign_id,
        row_number() over (
            partition by sessions.live_id
            order by stg_seller__campaigns.started_at desc, stg_seller__campaigns.campaign_id asc
        ) as match_rank
    from sessions
    inner join stg_seller__campaigns
        on
            sessions.shop_id = stg_seller__campaigns.shop_id
            and lower(stg_seller__campaigns.campaign_type) = 'live'
            and sessions.live_started_at >= stg_seller__campaigns.started_at
            and sessions.live_started_at <= stg_seller__campaigns.ended_at

),

final as (

    select
        sessions.live_id,
        sessions.shop_id,
        sessions.creator_id,
        sessions.creator_name,
        campaign_matches.campaign_id,
        sessions.live_started_at,
        sessions.live_ended_at,
        cast(sessions.live_started_at as date) as live_date,
        sessions.duration_s,
        sessions.attributed_gmv_idr as gmv_idr,
        sessions.direct_gmv_idr,
        sessions.paid_orders as orders,
        sessions.units_sold as units,
        sessions.buyers,
        sessions.viewers,
        sessions.views,
        sessions.avg_watch_duration_s,
        sessions.likes,
        sessions.comments,
        sessions.shares,
        sessions.new_followers,
        sessions.product_impressions,
        sessions.product_clicks,
        cast(sessions.product_clicks as {{ type_double() }}) / nullif(sessions.product_impressions, 0) as ctr,
        cast(sessions.paid_orders as {{ type_double() }}) / nullif(sessions.product_clicks, 0) as ctor,
        cast(sessions.attributed_gmv_idr / nullif(sessions.paid_orders, 0) as decimal(18, 2)) as aov_idr,
        cast(1000 * sessions.attributed_gmv_idr / nullif(sessions.views, 0) as decimal(18, 2)) as gpm_idr,
        coalesce(window_orders.window_orders, 0) as window_orders,
        coalesce(window_orders.window_gmv_idr, 0) as window_gmv_idr
    from sessions
    left join window_orders
        on sessions.live_id = window_orders.live_id
    left join campaign_matches
        on
            sessions.live_id = campaign_matches.live_id
            and campaign_matches.match_rank = 1

)

select * from final
