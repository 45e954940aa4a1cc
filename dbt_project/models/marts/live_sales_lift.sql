{%- set baseline_weeks = var('lift_baseline_weeks') -%}
{%- set after_days = var('lift_after_days') -%}

with

live_sessions as (

    select * from {{ ref('live_sessions') }}
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

counted_orders as (

    select
        shop_id,
        created_at,
        gmv_idr
    from int_orders_aggregated
    where is_counted

),

shop_ranges as (

    select
        shop_id,
        max(created_at) as last_order_at,
        cast(
            {{ dbt.date_trunc('day', 'min(created_at)') }} as {{ dbt.type_timestamp() }}
        ) as first_order_day_at
    from int_orders_aggregated
    group by shop_id

),

-- a lift window = the event itself and the 24 hours after it (`lift_after_days`)
events as (

    select
        shop_id,
        'live_session' as event_type,
        live_id as event_id,
        campaign_id,
        creator_id,
        'LIVE' as campaign_type,
        live_started_at as started_at,
        live_ended_at as ended_at
    from live_sessions
    union all
    select
        shop_id,
        'campaign' as event_type,
        campaign_id as event_id,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        campaign_type,
        started_at,
        ended_at
    from stg_seller__campaigns
    where
        started_at is not null
        and ended_at is not null

),

week_offsets as (

    select {{ integer_series(0, baseline_weeks) }} as weeks_back

),

-- week 0 is the window itself, weeks 1-4 (`lift_baseline_weeks`) the same hours on the same weekday before it
shifted_windows as (

    select
        events.shop_id,
        events.event_type,
        events.event_id,
        week_offsets.weeks_back,
        cast(
            {{ dbt.dateadd('day', '-7 * week_offsets.weeks_back', 'events.started_at') }}
            as {{ dbt.type_timestamp() }}
        ) as window_start_at,
        cast(
            {{ dbt.dateadd('day', after_days ~ ' - 7 * week_offsets.weeks_back', 'events.ended_at') }}
            as {{ dbt.type_timestamp() }}
        ) as window_end_at
    from events
    cross join week_offsets

),

-- only windows fully inside the loaded order history count
covered_windows as (

    select shifted_windows.*
    from shifted_windows
    inner join shop_ranges
        on shifted_windows.shop_id = shop_ranges.shop_id
    where
        shifted_windows.window_start_at >= shop_ranges.first_order_day_at
        and shifted_windows.window_end_at <= shop_ranges.last_order_at

),

window_sales as (

    select
        covered_windows.shop_id,
        covered_windows.event_type,
        covered_windows.event_id,
        covered_windows.weeks_back,
        count(counted_orders.created_at) as orders,
        coalesce(sum(counted_orders.gmv_idr), 0) as gmv_idr
    from covered_windows
    left join counted_orders
        on
            covered_windows.shop_id = counted_orders.shop_id
            and covered_windows.window_start_at <= counted_orders.created_at
            and covered_windows.window_end_at >= counted_orders.created_at
    group by
        covered_windows.shop_id,
        covered_windows.event_type,
        covered_windows.event_id,
        covered_windows.weeks_back

),

compared as (

    select
        shop_id,
        event_type,
        event_id,
        cast(avg(case when weeks_back > 0 then gmv_idr end) as decimal(18, 2)) as baseline_gmv_idr,
        max(case when weeks_back = 0 then gmv_idr end) as window_gmv_idr,
        max(case when weeks_back = 0 then orders end) as window_orders,
        count(case when weeks_back > 0 then 1 end) as baseline_weeks,
        avg(case when weeks_back > 0 then cast(orders as decimal(18, 2)) end) as baseline_orders
    from window_sales
    group by
        shop_id,
        event_type,
        event_id

),

final as (

    select
        {{ surrogate_key(['events.shop_id', 'events.event_type', 'events.event_id']) }} as lift_id,
        events.shop_id,
        events.event_type,
        events.event_id,
        events.campaign_id,
        events.campaign_type,
        events.creator_id,
        events.started_at,
        events.ended_at,
        cast({{ dbt.dateadd('day', after_days, 'events.ended_at') }} as {{ dbt.type_timestamp() }}) as window_end_at,
        coalesce(compared.baseline_weeks, 0) as baseline_weeks,
        compared.window_orders,
        cast(compared.baseline_orders as decimal(18, 2)) as baseline_orders,
        compared.window_gmv_idr,
        compared.baseline_gmv_idr,
        compared.window_gmv_idr - compared.baseline_gmv_idr as lift_idr,
        cast(
            (compared.window_gmv_idr - compared.baseline_gmv_idr) / nullif(compared.baseline_gmv_idr, 0)
            as {{ type_double() }}
        ) as lift_pct
    from events
    left join compared
        on
            events.shop_id = compared.shop_id
            and events.event_type = compared.event_type
            and events.event_id = compared.event_id

)

select * from final
