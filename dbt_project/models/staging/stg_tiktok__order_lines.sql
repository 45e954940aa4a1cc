{{
    config(
        materialized='incremental',
        unique_key='order_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        tags=['daily_fact'],
        meta={'rebuild_window': ['orders', 'order_date']},
    )
}}

{#- Read twice (the newest version's keys, then its rows), inline: a CTE read twice is materialised by DuckDB
    with every column of every version. -#}
{%- set orders -%}
    select
        *,
        {{ row_locator() }} as _row_locator
    from {{ source('tiktok', 'orders') }}
    {% if is_incremental() -%}
        -- every version of every order created on a day in the window
        where {{ orders_in_rebuild_window() }}
    {%- endif %}
{%- endset %}

with

-- Exports overlap: the same line is in every export whose range covers the order. The newest version is
-- ranked on its keys alone, then its row is read: ranking whole rows made DuckDB sort (and, within its
-- memory limit, spill) every raw column (docs/performance.md, twelfth measurement).
newest as (

    select _row_locator
    from (
        select
            _row_locator,
            {{ newest_export_rank(['order_id', 'sku_id']) }} as recency_rank
        from ({{ orders }}) as orders
    ) as ranked
    where recency_rank = 1

),

-- The newest versions' rows, found by where they are in the raw table (macros/row_locator.sql).
latest as (

    select orders.*
    from ({{ orders }}) as orders
    where orders._row_locator in (select newest._row_locator from newest)

),

renamed as (

    select
        {{ surrogate_key(['_shop_id', 'order_id', 'sku_id']) }} as order_line_id,
        _shop_id as shop_id,
        order_id,
        sku_id,
        seller_sku,
        product_name,
        variation,
        product_category,
        order_status,
        {{ order_status_category('order_status') }} as order_status_category,
        order_substatus,
        {{ cancel_return_type('cancelation_return_type') }} as cancel_return_type,
        cancel_by,
        cancel_reason,
        normal_or_pre_order,
        {{ parse_int('quantity') }} as quantity,
        coalesce({{ parse_int('sku_quantity_of_return') }}, 0) as returned_quantity,
        {{ parse_idr('sku_unit_original_price') }} as unit_original_price_idr,
        {{ parse_idr('sku_subtotal_before_discount') }} as subtotal_before_discount_idr,
        {{ parse_idr('sku_platform_discount') }} as platform_discount_idr,
        {{ parse_idr('sku_seller_discount') }} as seller_discount_idr,
        {{ parse_idr('sku_subtotal_after_discount') }} as subtotal_after_discount_idr,
        {{ parse_idr('shipping_fee_after_discount') }} as shipping_fee_after_discount_idr,
        {{ parse_idr('order_refund_amount') }} as order_refund_amount_idr,
        {{ parse_idr('order_amount') }} as order_amount_idr,
        {{ parse_wib_ts('created_time') }} as created_at,
        {{ parse_wib_ts('paid_time') }} as paid_at,
        {{ parse_wib_ts('shipped_time') }} as shipped_at,
        {{ parse_wib_ts('delivered_time') }} as delivered_at,
        {{ parse_wib_ts('cancelled_time') }} as cancelled_at,
        -- 32 hex characters (ingestion/pii.py); rows loaded before hold 64, whose first 32 are the same key
        left(customer_key, 32) as customer_key,
        country,
        province,
        regency_and_city as city,
        payment_method,
        fulfillment_type,
        delivery_option,
        shipping_provider_name,
        purchase_channel,
        order_channel,
        creator_handle,
        _language as export_language,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from latest

),

final as (

    select
        *,
        cast(created_at as date) as order_date,
        (
            coalesce(cancel_return_type, '') <> 'cancel'
            and order_status_category not in ('cancelled', 'unpaid')
        ) as is_counted
    from renamed

)

select * from final
