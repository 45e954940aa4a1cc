{{
    config(
        materialized='incremental',
        unique_key='shop_order_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        tags=['daily_fact'],
        meta={'rebuild_window': ['orders', 'order_date']},
    )
}}

with

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    {% if is_incremental() -%}
        where (shop_id, order_id) in (
            select
                shop_id,
                order_id
            from {{ ref('stg_tiktok__order_lines') }}
            where {{ in_rebuild_window('orders', 'order_date', 'shop_id') }}
        )
    {%- endif %}

),

-- status and buyer are order-level; cancellations can be per line, so money and units
-- only count the lines that are themselves counted
aggregated as (

    select
        shop_id,
        order_id,
        min(created_at) as created_at,
        min(paid_at) as paid_at,
        max(customer_key) as customer_key,
        max(order_status_category) as order_status_category,
        max(province) as province,
        max(city) as city,
        {{ dbt.bool_or('is_counted') }} as is_counted,
        count(*) as order_lines,
        {{ counted_sales(orders=false) }},
        sum(case when is_counted then coalesce(order_refund_amount_idr, 0) else 0 end) as refund_idr,
        sum(subtotal_after_discount_idr) as subtotal_after_discount_idr
    from stg_tiktok__order_lines
    group by
        shop_id,
        order_id

),

final as (

    select
        {{ surrogate_key(['shop_id', 'order_id']) }} as shop_order_id,
        shop_id,
        order_id,
        cast(created_at as date) as order_date,
        created_at,
        paid_at,
        customer_key,
        order_status_category,
        province,
        city,
        is_counted,
        order_lines,
        units,
        gmv_idr,
        refund_idr,
        gmv_idr - refund_idr as net_gmv_idr,
        subtotal_after_discount_idr,
        returned_units
    from aggregated

)

select * from final
