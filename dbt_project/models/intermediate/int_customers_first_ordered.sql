with

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}

),

counted_orders as (

    select * from int_orders_aggregated
    where
        is_counted
        and customer_key is not null

),

first_orders as (

    select
        shop_id,
        customer_key,
        min(order_date) as first_order_date
    from counted_orders
    group by
        shop_id,
        customer_key

),

final as (

    select
        shop_id,
        customer_key,
        first_order_date,
        -- ISO weeks start on Monday (dbt.date_trunc('week') does on DuckDB)
        cast({{ dbt.date_trunc('week', 'first_order_date') }} as date) as cohort_week
    from first_orders

)

select * from final
