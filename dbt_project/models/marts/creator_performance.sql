with

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__creators as (

    select * from {{ ref('stg_tiktok__creators') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__lives as (

    select * from {{ ref('stg_tiktok__lives') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__videos as (

    select * from {{ ref('stg_tiktok__videos') }}
    where {{ rebuilt_shops_only() }}

),

int_video_days_filtered as (

    select * from {{ ref('int_video_days_filtered') }}
    where {{ rebuilt_shops_only() }}

),

stg_seller__product_costs as (

    select * from {{ ref('stg_seller__product_costs') }}
    where {{ rebuilt_shops_only() }}

),

shops_with_costs as (

    select distinct shop_id
    from stg_seller__product_costs

),

creator_lines as (

    select
        shop_id,
        order_id,
        sku_id,
        creator_handle,
        order_date,
        quantity,
        subtotal_after_discount_idr,
        coalesce(order_refund_amount_idr, 0) as refund_idr,
        cast({{ dbt.date_trunc('week', 'order_date') }} as date) as week_start_date
    from stg_tiktok__order_lines
    where
        is_counted
        and creator_handle is not null

),

-- commission rate of a range = Perkiraan komisi / GMV dari kreator of that creator export row
range_rates as (

    select
        shop_id,
        creator_name,
        period_start_date,
        period_end_date,
        estimated_commission_idr / gmv_idr as commission_rate
    from stg_tiktok__creators
    where gmv_idr > 0

),

overall_rates as (

    select
        shop_id,
        creator_name,
        sum(estimated_commission_idr) / sum(gmv_idr) as commission_rate
    from stg_tiktok__creators
    where gmv_idr > 0
    group by
        shop_id,
        creator_name

),

-- each order line takes the rate of the export range that covers its day (overlaps: the latest-starting)
line_rates as (

    select
        creator_lines.shop_id,
        creator_lines.order_id,
        creator_lines.sku_id,
        range_rates.commission_rate,
        row_number() over (
            partition by creator_lines.shop_id, creator_lines.order_id, creator_lines.sku_id
            order by
                range_rates.period_start_date desc,
                range_rates.period_end_date asc
        ) as range_rank
    from creator_lines
    inner join range_rates
        on
            creator_lines.shop_id = range_rates.shop_id
            and creator_lines.creator_handle = range_rates.creator_name
            and creator_lines.order_date >= range_rates.period_start_date
            and creator_lines.order_date <= range_rates.period_end_date

),

lines_costed as (

    select
        creator_lines.*,
        stg_seller__product_costs.unit_cost_idr,
        coalesce(line_rates.commission_rate, overall_rates.commission_rate) as commission_rate
    from creator_lines
    left join line_rates
        on
            creator_lines.shop_id = line_rates.shop_id
            and creator_lines.order_id = line_rates.order_id
            and creator_lines.sku_id = line_rates.sku_id
            and line_rates.range_rank = 1
    left join overall_rates
        on
            creator_lines.shop_id = overall_rates.shop_id
            and creator_lines.creator_handle = overall_rates.creator_name
    left join stg_seller__product_costs
        on
            creator_lines.shop_id = stg_seller__product_costs.shop_id
            and creator_lines.sku_id = stg_seller__product_costs.sku_id

),

sales_weeks as (

    select
        shop_id,
        creator_handle,
        week_start_date,
        count(distinct order_id) as orders,
        sum(quantity) as units,
        sum(subtotal_after_discount_idr) as gmv_idr,
        sum(refund_idr) as refunds_idr,
        sum(cast(subtotal_after_discount_idr * commission_rate as decimal(18, 2))) as estimated_commission_idr,
        sum(quantity * unit_cost_idr) as product_cost_idr,
        min(case when unit_cost_idr is null then 0 else 1 end) = 1 as has_product_cost,
        min(case when commission_rate is null then 0 else 1 end) = 1 as has_commission_rate
    from lines_costed
    group by
        shop_id,
        creator_handle,
        week_start_date

),

video_posts as (

    select
        shop_id,
        creator_id as creator_handle,
        cast({{ dbt.date_trunc('week', 'min(posted_at)') }} as date) as week_start_date,
        video_id
    from stg_tiktok__videos
    where creator_id is not null
    group by
        shop_id,
        creator_id,
        video_id

),

content_weeks as (

    select
        shop_id,
        creator_handle,
        week_start_date,
        count(*) as videos_posted,
        0 as lives
    from video_posts
    group by
        shop_id,
        creator_handle,
        week_start_date
    union all
    select
        shop_id,
        creator_id as creator_handle,
        cast({{ dbt.date_trunc('week', 'live_started_at') }} as date) as week_start_date,
        0 as videos_posted,
        count(*) as lives
    from stg_tiktok__lives
    where live_started_at is not null
    group by
        shop_id,
        creator_id,
        cast({{ dbt.date_trunc('week', 'live_started_at') }} as date)

),

content_counts as (

    select
        shop_id,
        creator_handle,
        week_start_date,
        sum(videos_posted) as videos_posted,
        sum(lives) as lives
    from content_weeks
    group by
        shop_id,
        creator_handle,
        week_start_date

),

engagement_weeks as (

    select
        shop_id,
        creator_id as creator_handle,
        cast({{ dbt.date_trunc('week', 'video_date') }} as date) as week_start_date,
        sum(views) as video_views,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(shares) as shares,
        sum(product_clicks) as product_clicks
    from int_video_days_filtered
    where creator_id is not null
    group by
        shop_id,
        creator_id,
        cast({{ dbt.date_trunc('week', 'video_date') }} as date)

),

creator_weeks as (

    select
        shop_id,
        creator_handle,
        week_start_date
    from sales_weeks
    union
    select
        shop_id,
        creator_handle,
        week_start_date
    from content_counts
    union
    select
        shop_id,
        creator_handle,
        week_start_date
    from engagement_weeks

),

final as (

    select
        {{ surrogate_key([
            'creator_weeks.shop_id', 'creator_weeks.creator_handle', 'creator_weeks.week_start_date',
        ]) }} as creator_week_id,
        creator_weeks.shop_id,
        creator_weeks.creator_handle,
        creator_weeks.week_start_date,
        coalesce(sales_weeks.orders, 0) as orders,
        coalesce(sales_weeks.units, 0) as units,
        coalesce(sales_weeks.gmv_idr, 0) as gmv_idr,
        coalesce(sales_weeks.refunds_idr, 0) as refunds_idr,
        coalesce(sales_weeks.estimated_commission_idr, 0) as estimated_commission_idr,
        cast(
            sales_weeks.estimated_commission_idr / nullif(sales_weeks.gmv_idr, 0) as {{ type_double() }}
        ) as effective_commission_rate,
        cast(
            sales_weeks.gmv_idr / nullif(sales_weeks.estimated_commission_idr, 0) as {{ type_double() }}
        ) as gmv_per_commission_idr,
        coalesce(content_counts.videos_posted, 0) as videos_posted,
        coalesce(content_counts.lives, 0) as lives,
        engagement_weeks.video_views,
        engagement_weeks.likes,
        engagement_weeks.comments,
        engagement_weeks.shares,
        engagement_weeks.product_clicks,
        cast(
            engagement_weeks.likes + engagement_weeks.comments + engagement_weeks.shares as {{ type_double() }}
        ) / nullif(engagement_weeks.video_views, 0) as engagement_rate,
        cast(engagement_weeks.product_clicks as {{ type_double() }})
        / nullif(engagement_weeks.video_views, 0) as purchase_intent_rate,
        coalesce(sales_weeks.has_product_cost, shops_with_costs.shop_id is not null) as has_product_cost,
        coalesce(sales_weeks.has_commission_rate, true) as has_commission_rate,
        case
            when coalesce(sales_weeks.has_product_cost, shops_with_costs.shop_id is not null)
                then coalesce(sales_weeks.product_cost_idr, 0)
        end as product_cost_idr,
        case
            when coalesce(sales_weeks.has_product_cost, shops_with_costs.shop_id is not null)
                then (
                    coalesce(sales_weeks.gmv_idr, 0)
                    - coalesce(sales_weeks.refunds_idr, 0)
                    - coalesce(sales_weeks.product_cost_idr, 0)
                    - coalesce(sales_weeks.estimated_commission_idr, 0)
                )
        end as margin_after_commission_idr
    from creator_weeks
    left join sales_weeks
        on
            creator_weeks.shop_id = sales_weeks.shop_id
            and creator_weeks.creator_handle = sales_weeks.creator_handle
            and creator_weeks.week_start_date = sales_weeks.week_start_date
    left join content_counts
        on
            creator_weeks.shop_id = content_counts.shop_id
            and creator_weeks.creator_handle = content_counts.creator_handle
            and creator_weeks.week_start_date = content_counts.week_start_date
    left join engagement_weeks
        on
            creator_weeks.shop_id = engagement_weeks.shop_id
            and creator_weeks.creator_handle = engagement_weeks.creator_handle
            and creator_weeks.week_start_date = engagement_weeks.week_start_date
    left join shops_with_costs
        on creator_weeks.shop_id = shops_with_costs.shop_id

)

select * from final
