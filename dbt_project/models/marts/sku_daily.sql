with

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    where {{ rebuilt_shops_only() }}

),

sku_days as (

    {{ counted_sku_day_sales('stg_tiktok__order_lines', names=true) }}

),

final as (

    select
        shop_id,
        sku_id,
        order_date as date,
        product_name,
        seller_sku,
        orders,
        units,
        gmv_idr,
        returned_units
    from sku_days

)

select * from final
