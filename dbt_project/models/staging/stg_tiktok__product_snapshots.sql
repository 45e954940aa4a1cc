with

products as (

    select * from {{ source('tiktok', 'products') }}

),

-- every product list is a stock snapshot at its export time; keep them all (one row per SKU per export)
ranked as (

    select
        *,
        row_number() over (
            partition by _shop_id, sku_id, _export_at
            order by
                _file_modified_at desc nulls last,
                _source_file desc,
                _source_row desc
        ) as recency_rank
    from products

),

final as (

    select
        {{ surrogate_key(['_shop_id', 'sku_id', '_export_at']) }} as product_snapshot_id,
        _shop_id as shop_id,
        sku_id,
        product_id,
        seller_sku,
        product_name,
        {{ parse_idr('price') }} as price_idr,
        {{ parse_int('stock_quantity') }} as stock_quantity,
        _export_at as snapshot_at,
        cast(_export_at as date) as snapshot_date,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
