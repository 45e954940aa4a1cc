-- A table, not a view like the rest of intermediate: two marts read it and three data tests check it (one
-- from `customers`); as a view each of those five aggregated the shop's orders again. Incremental by shop like
-- the marts (docs/performance.md, fifteenth measurement).
{{ config(materialized='incremental', incremental_strategy='shop_replace', on_schema_change='fail') }}

with

int_orders_aggregated as (

    select * from {{ ref('int_orders_aggregated') }}
    where {{ rebuilt_shops_only() }}

),

counted_orders as (

    select * from int_orders_aggregated
    where {{ is_customer_order() }}

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
