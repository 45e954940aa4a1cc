with

reorder_signals_daily as (

    select * from {{ ref('reorder_signals_daily') }}
    where {{ rebuilt_shops_only() }}

),

stg_tiktok__products as (

    select * from {{ ref('stg_tiktok__products') }}
    where {{ rebuilt_shops_only() }}

),

sku_names as (

    select * from {{ ref('sku_daily') }}
    where {{ rebuilt_shops_only() }}

),

-- a SKU that is no longer in the product list keeps the name from its orders
order_names as (

    select
        shop_id,
        sku_id,
        max(product_name) as product_name,
        max(seller_sku) as seller_sku
    from sku_names
    group by
        shop_id,
        sku_id

),

latest as (

    select * from reorder_signals_daily
    where date = as_of_date

),

final as (

    select
        latest.shop_id,
        latest.sku_id,
        latest.as_of_date,
        latest.snapshot_at,
        latest.stock_on_hand,
        latest.open_order_units,
        latest.units as units_on_as_of_date,
        latest.demand_rate_per_day,
        latest.trailing_rate_per_day,
        latest.recent_rate_per_day,
        latest.demand_stddev_per_day,
        latest.is_spike,
        latest.days_of_cover,
        latest.lead_time_days,
        latest.service_level,
        latest.has_sku_settings,
        latest.safety_stock_units,
        latest.reorder_point,
        latest.suggested_order_qty,
        latest.status,
        coalesce(stg_tiktok__products.seller_sku, order_names.seller_sku) as seller_sku,
        coalesce(stg_tiktok__products.product_name, order_names.product_name) as product_name
    from latest
    left join stg_tiktok__products
        on
            latest.shop_id = stg_tiktok__products.shop_id
            and latest.sku_id = stg_tiktok__products.sku_id
    left join order_names
        on
            latest.shop_id = order_names.shop_id
            and latest.sku_id = order_names.sku_id

)

select * from final
