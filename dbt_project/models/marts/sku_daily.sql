with

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    where {{ rebuilt_shops_only() }}

),

final as (

    select
        shop_id,
        sku_id,
        order_date as date,
        max(product_name) as product_name,
        max(seller_sku) as seller_sku,
        count(distinct case when is_counted then order_id end) as orders,
        sum(case when is_counted then quantity else 0 end) as units,
        sum(case when is_counted then subtotal_after_discount_idr else 0 end) as gmv_idr,
        sum(returned_quantity) as returned_units
    from stg_tiktok__order_lines
    where order_date is not null
    group by
        shop_id,
        sku_id,
        order_date

)

select * from final
