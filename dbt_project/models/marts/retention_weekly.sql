with

ltv_weekly as (

    select * from {{ ref('ltv_weekly') }}
    where {{ rebuilt_shops_only() }}

),

int_customers_first_ordered as (

    select * from {{ ref('int_customers_first_ordered') }}
    where {{ rebuilt_shops_only() }}

),

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

-- each customer's second counted order (`repeat_buyer_orders`): from that week on, the customer is a repeat buyer
numbered_orders as (

    select
        shop_id,
        customer_key,
        order_date,
        row_number() over (
            partition by shop_id, customer_key
            order by created_at, order_id
        ) as order_number
    from int_orders_aggregated
    where {{ is_customer_order() }}

),

second_orders as (

    select
        numbered_orders.shop_id,
        int_customers_first_ordered.cohort_week,
        {{ weeks_between(
            'int_customers_first_ordered.cohort_week',
            "cast(" ~ dbt.date_trunc('week', 'numbered_orders.order_date') ~ " as date)",
        ) }} as weeks_since_first_order
    from numbered_orders
    inner join int_customers_first_ordered
        on
            numbered_orders.shop_id = int_customers_first_ordered.shop_id
            and numbered_orders.customer_key = int_customers_first_ordered.customer_key
    where numbered_orders.order_number = {{ var('repeat_buyer_orders') }}

),

new_repeaters as (

    select
        shop_id,
        cohort_week,
        weeks_since_first_order,
        count(*) as new_repeat_customers
    from second_orders
    group by
        shop_id,
        cohort_week,
        weeks_since_first_order

),

repeaters_cumulated as (

    select
        ltv_weekly.shop_id,
        ltv_weekly.cohort_week,
        ltv_weekly.weeks_since_first_order,
        ltv_weekly.week_start_date,
        ltv_weekly.cohort_customers,
        ltv_weekly.active_customers,
        {{ running_total(
            'new_repeaters.new_repeat_customers',
            ['ltv_weekly.shop_id', 'ltv_weekly.cohort_week'],
            'ltv_weekly.weeks_since_first_order',
        ) }} as repeat_customers
    from ltv_weekly
    left join new_repeaters
        on
            ltv_weekly.shop_id = new_repeaters.shop_id
            and ltv_weekly.cohort_week = new_repeaters.cohort_week
            and ltv_weekly.weeks_since_first_order = new_repeaters.weeks_since_first_order

),

final as (

    select
        shop_id,
        cohort_week,
        weeks_since_first_order,
        week_start_date,
        cohort_customers,
        active_customers,
        cast(active_customers as {{ type_double() }}) / cohort_customers as active_rate,
        repeat_customers,
        cast(repeat_customers as {{ type_double() }}) / cohort_customers as repeat_rate
    from repeaters_cumulated

)

select * from final
