{#- a cohort's weeks, in order -#}
{%- set cohort = ['cohort_weeks.shop_id', 'cohort_weeks.cohort_week'] -%}
{%- set week = 'cohort_weeks.weeks_since_first_order' -%}

with

int_customers_first_ordered as (

    select * from {{ ref('int_customers_first_ordered') }}
    where {{ rebuilt_shops_only() }}

),

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

counted_orders as (

    select
        shop_id,
        customer_key,
        gmv_idr,
        net_gmv_idr,
        cast({{ dbt.date_trunc('week', 'order_date') }} as date) as order_week
    from int_orders_aggregated
    where {{ is_customer_order() }}

),

cohorts as (

    select
        shop_id,
        cohort_week,
        count(*) as cohort_customers
    from int_customers_first_ordered
    group by
        shop_id,
        cohort_week

),

shop_last_weeks as (

    select
        shop_id,
        max(order_week) as last_week
    from counted_orders
    group by shop_id

),

cohort_ranges as (

    select
        cohorts.shop_id,
        cohorts.cohort_week,
        cohorts.cohort_customers,
        {{ weeks_between('cohorts.cohort_week', 'shop_last_weeks.last_week') }} as weeks_to_last_week
    from cohorts
    inner join shop_last_weeks
        on cohorts.shop_id = shop_last_weeks.shop_id

),

-- every cohort gets every week up to the shop's last week, purchases or not
cohort_weeks as (

    select
        shop_id,
        cohort_week,
        cohort_customers,
        {{ integer_series(0, 'weeks_to_last_week') }} as weeks_since_first_order
    from cohort_ranges

),

cohort_orders as (

    select
        counted_orders.shop_id,
        counted_orders.customer_key,
        counted_orders.gmv_idr,
        counted_orders.net_gmv_idr,
        int_customers_first_ordered.cohort_week,
        counted_orders.order_week
    from counted_orders
    inner join int_customers_first_ordered
        on
            counted_orders.shop_id = int_customers_first_ordered.shop_id
            and counted_orders.customer_key = int_customers_first_ordered.customer_key

),

cohort_order_weeks as (

    select
        shop_id,
        customer_key,
        gmv_idr,
        net_gmv_idr,
        cohort_week,
        {{ weeks_between('cohort_week', 'order_week') }} as weeks_since_first_order
    from cohort_orders

),

weekly_purchases as (

    select
        shop_id,
        cohort_week,
        weeks_since_first_order,
        count(*) as orders,
        count(distinct customer_key) as active_customers,
        sum(gmv_idr) as gmv_idr,
        sum(net_gmv_idr) as net_gmv_idr
    from cohort_order_weeks
    group by
        shop_id,
        cohort_week,
        weeks_since_first_order

),

cumulated as (

    select
        cohort_weeks.shop_id,
        cohort_weeks.cohort_week,
        cohort_weeks.weeks_since_first_order,
        cohort_weeks.cohort_customers,
        coalesce(weekly_purchases.orders, 0) as orders,
        coalesce(weekly_purchases.active_customers, 0) as active_customers,
        coalesce(weekly_purchases.gmv_idr, 0) as gmv_idr,
        {{ running_total('weekly_purchases.gmv_idr', cohort, week) }} as cumulative_gmv_idr,
        coalesce(weekly_purchases.net_gmv_idr, 0) as net_gmv_idr,
        {{ running_total('weekly_purchases.net_gmv_idr', cohort, week) }} as cumulative_net_revenue_idr
    from cohort_weeks
    left join weekly_purchases
        on
            cohort_weeks.shop_id = weekly_purchases.shop_id
            and cohort_weeks.cohort_week = weekly_purchases.cohort_week
            and cohort_weeks.weeks_since_first_order = weekly_purchases.weeks_since_first_order

),

final as (

    select
        shop_id,
        cohort_week,
        weeks_since_first_order,
        cast({{ dbt.dateadd('week', 'weeks_since_first_order', 'cohort_week') }} as date) as week_start_date,
        cohort_customers,
        orders,
        active_customers,
        gmv_idr,
        cumulative_gmv_idr,
        cast(cumulative_gmv_idr / cohort_customers as decimal(18, 2)) as ltv_idr,
        net_gmv_idr as net_revenue_idr,
        cumulative_net_revenue_idr,
        cast(cumulative_net_revenue_idr / cohort_customers as decimal(18, 2)) as net_ltv_idr
    from cumulated

)

select * from final
