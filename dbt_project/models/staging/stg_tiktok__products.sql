with

products as (

    select * from {{ source('tiktok', 'products') }}

),

-- the product list is a snapshot: keep each SKU's newest row
ranked as (

    select
        *,
        {{ newest_export_rank(['sku_id']) }} as recency_rank
    from products

),

final as (

    select
        {{ surrogate_key(['_shop_id', 'sku_id']) }} as product_sku_id,
        _shop_id as shop_id,
        product_id,
        sku_id,
        seller_sku,
        product_name,
        variation,
        category,
        brand,
        product_status,
        {{ parse_idr('price') }} as price_idr,
        {{ parse_int('stock_quantity') }} as stock_quantity,
        warehouse_name,
        _export_at as snapshot_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
