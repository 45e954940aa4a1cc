-- kpi_daily must account for every rupiah of counted order lines, per shop.
with

kpi_daily as (

    select * from {{ ref('kpi_daily') }}
    where {{ in_rebuilt_shops() }}

),

stg_tiktok__order_lines as (

    select * from {{ ref('stg_tiktok__order_lines') }}
    where {{ in_rebuilt_shops() }}

),

kpi_totals as (

    select
        shop_id,
        sum(gmv_idr) as gmv_idr
    from kpi_daily
    group by shop_id

),

line_totals as (

    select
        shop_id,
        sum(subtotal_after_discount_idr) as gmv_idr
    from stg_tiktok__order_lines
    where is_counted
    group by shop_id

),

final as (

    select
        line_totals.shop_id,
        line_totals.gmv_idr as line_gmv_idr,
        kpi_totals.gmv_idr as kpi_gmv_idr
    from line_totals
    left join kpi_totals
        on line_totals.shop_id = kpi_totals.shop_id
    where kpi_totals.gmv_idr is distinct from line_totals.gmv_idr

)

select * from final
