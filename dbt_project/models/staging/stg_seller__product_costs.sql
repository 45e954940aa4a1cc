with

product_costs as (

    select * from {{ source('seller', 'product_costs') }}

),

-- one cost per SKU: the newest file wins, within it the latest valid_from
ranked as (

    select
        *,
        {{ newest_export_rank(['sku_id'], then_by=['valid_from desc nulls last']) }} as recency_rank
    from product_costs

),

final as (

    select
        {{ surrogate_key(['_shop_id', 'sku_id']) }} as product_cost_id,
        _shop_id as shop_id,
        sku_id,
        {{ parse_idr('unit_cost_idr') }} as unit_cost_idr,
        cast({{ parse_wib_ts('valid_from') }} as date) as valid_from_date,
        notes,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
