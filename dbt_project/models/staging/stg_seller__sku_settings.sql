with

sku_settings as (

    select * from {{ source('seller', 'sku_settings') }}

),

ranked as (

    select
        *,
        {{ newest_export_rank(['sku_id']) }} as recency_rank
    from sku_settings

),

final as (

    select
        {{ surrogate_key(['_shop_id', 'sku_id']) }} as sku_setting_id,
        _shop_id as shop_id,
        sku_id,
        {{ parse_int('lead_time_days') }} as lead_time_days,
        {{ parse_pct('service_level') }} as service_level,
        {{ parse_int('min_order_qty') }} as min_order_qty,
        notes,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
